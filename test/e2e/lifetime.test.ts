import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../support/fake-discord/index.ts';
import { testImage } from '../support/jobs.ts';
import { openWorld, type World } from '../support/world.ts';

/** Tokens that die, bots that restart: the job's message lives on through the channel route. */

let world: World;
beforeAll(async () => {
  world = await openWorld({ discord: true, bot: true, simulators: { knobs: { secondsPerStep: 0.3 } }, worker: { reports: 'rest' }, tuning: { pipeline: { progressIntervalMs: 100, previewIntervalMs: 200, pollIntervalMs: 200 } } });
});
afterAll(async () => {
  await world?.close();
});

const hasVideo = (m: FakeMessage | undefined) => (m?.attachments ?? []).some((a) => a.filename.endsWith('.mp4'));
const SLOW = { timeoutMs: 30_000 };

describe('a job outliving its interaction token', () => {
  it('still ends with its video 40 minutes later, and the dead token is never used again', async () => {
    const handle = world.fake.invokeCommand({ name: 'i2v', options: { prompt: 'a long one' }, attachment: { filename: 'long.png', data: await testImage() } });
    await handle.waitForResponse((m) => /pass|Loading models/.test(m.content), SLOW);
    const expiredAt = world.fake.now();
    world.fake.advanceClock(40 * 60_000);
    const done = await handle.waitForResponse(hasVideo, SLOW);
    expect(done.content).toContain('Done');
    const webhookAfter = world.fake.requests.filter((r) => r.atMs >= expiredAt && r.path.startsWith('/webhooks/'));
    expect(webhookAfter).toEqual([]);
  });
});

describe('a restarted bot', () => {
  it('keeps every job going and acts on reactions to messages from before the restart', async () => {
    world.simulator!.knobs.secondsPerStep = 0.3;
    try {
      const handle = world.fake.invokeCommand({ name: 'i2v', options: { prompt: 'survives a restart' }, attachment: { filename: 'r.png', data: await testImage() } });
      await handle.waitForResponse((m) => /pass/.test(m.content), SLOW);
      await world.restartBot();
      world.simulator!.knobs.secondsPerStep = 0.02;
      const before = await handle.waitForResponse(hasVideo, SLOW);
      // The new bot has never seen this message: the reaction arrives partial and the job is found in Redis.
      world.fake.react(before.id, '❌');
      await world.fake.waitFor(() => world.fake.message(before.id)?.deleted || undefined, SLOW);
    } finally {
      world.simulator!.knobs.secondsPerStep = 0.3;
    }
  });
});
