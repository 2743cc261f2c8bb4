import { smallPng } from '../lib/media.ts';
import { benchDiscordEnv, type Scenario } from '../lib/scenario.ts';
import { round, summarize } from '../lib/stats.ts';
import { openWorld } from '../../test/support/world.ts';

/**
 * Interaction received → deferral sent: the fake dispatches INTERACTION_CREATE at a known
 * time and records when the callback (type 5) arrives (`ack.afterMs`). The real bot runs
 * in-process; each /i2v is answered (its queued message shown) before the next is sent,
 * so each one meets an idle bot. No worker: the jobs simply wait.
 */

const RUNS = 21;

export const deferral: Scenario = {
  name: 'deferral',
  figureIds: ['deferral'],
  async run() {
    const world = await openWorld({ purpose: 'bench', discord: true, bot: { sharedQueue: true }, env: benchDiscordEnv });
    try {
      const png = await smallPng();
      const samples: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const handle = world.fake.invokeCommand({ name: 'i2v', options: { prompt: `run ${i}`, preset: 'fast' }, attachment: { filename: 'cat.png', data: png }, user: { id: `1000000000000001${String(i).padStart(2, '0')}` } });
        const ack = await handle.acked();
        await handle.waitForResponse((m) => m.content.length > 0, { timeoutMs: 15_000 });
        // The first interaction warms discord.js's REST queues and the command's code paths.
        if (i > 0) samples.push(ack.afterMs);
      }
      const s = summarize(samples);
      return [{ id: 'deferral', label: 'interaction → deferral sent', unit: 'ms', ...s, median: round(s.median), budget: '< 50 ms', pass: s.median < 50 }];
    } finally {
      await world.close();
    }
  },
};
