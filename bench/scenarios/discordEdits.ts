import { startComfySimulator, type ComfySimulator } from '../../src/simulator/index.ts';
import { openWorld } from '../../test/support/world.ts';
import { smallPng } from '../lib/media.ts';
import { benchDiscordEnv, type Scenario } from '../lib/scenario.ts';
import { round, summarize } from '../lib/stats.ts';
import type { Figure } from '../lib/table.ts';
import { minSpacingPerKey } from '../lib/timeline.ts';

/**
 * 50 members send /i2v at once in one channel; three ComfyUIs, bot and worker in one
 * process with the Discord reporter, the fake's rate limits on, production
 * EDIT_INTERVAL_MS. From the fake's record of every message version: the smallest gap
 * between two edits of one message (its creation by the deferral is not an edit), with
 * and without the final edit, and the 429s served.
 */

const MEMBERS = 50;
const INSTANCES = 3;

export const discordEdits: Scenario = {
  name: 'Discord edits',
  figureIds: ['edit_spacing', 'edit_spacing_progress', 'edit_429s'],
  async run() {
    const simulators: ComfySimulator[] = [];
    for (let i = 0; i < INSTANCES; i++) simulators.push(await startComfySimulator({ knobs: { secondsPerStep: 0.3 } }));
    const world = await openWorld({ purpose: 'bench', discord: true, bot: { sharedQueue: true }, env: benchDiscordEnv, comfyUrls: simulators.map((s) => s.url), worker: { reports: 'bot' } });
    try {
      const png = await smallPng();
      const handles = Array.from({ length: MEMBERS }, (_, i) =>
        world.fake.invokeCommand({ name: 'i2v', options: { prompt: `member ${i}`, preset: 'fast', frames: 17 }, attachment: { filename: 'cat.png', data: png }, user: { id: `2000000000000000${String(i).padStart(2, '0')}` } }),
      );
      const done = await Promise.all(handles.map((h) => h.waitForResponse((m) => m.attachments.some((a) => a.filename.endsWith('.mp4')), { timeoutMs: 240_000 })));
      await world.bot.statusEditor.idle();
      const edits: Array<{ key: string; atMs: number }> = [];
      const progressEdits: Array<{ key: string; atMs: number }> = [];
      let editCount = 0;
      // Which writers made the too-close pairs (webhook = interaction token, channel = bot token): the diagnosis.
      const closePairs = new Map<string, number>();
      for (const message of done) {
        const versions = world.fake.messageHistory(message.id).slice(1);
        editCount += versions.length;
        for (let i = 1; i < versions.length; i++) {
          if (versions[i]!.atMs - versions[i - 1]!.atMs >= 2000) continue;
          const kind = `${versions[i - 1]!.via}→${versions[i]!.via}${i === versions.length - 1 ? ' (final)' : ''}`;
          closePairs.set(kind, (closePairs.get(kind) ?? 0) + 1);
        }
        versions.forEach((v, i) => {
          edits.push({ key: message.id, atMs: v.atMs });
          if (i < versions.length - 1) progressEdits.push({ key: message.id, atMs: v.atMs });
        });
      }
      const all = [...minSpacingPerKey(edits).values()];
      const progress = [...minSpacingPerKey(progressEdits).values()];
      const row = (id: string, label: string, values: number[]): Figure => {
        const s = summarize(values);
        return { id, label, unit: 'ms', median: round(s.median), min: s.min, max: s.max, n: s.n, budget: 'min ≥ 2000 ms', pass: s.min >= 2000 };
      };
      return [
        // The budget row: waiting and progress edits. The final edit (the video) goes out at once by design,
        // so a member never waits for an interval; the row with it is shown for information.
        { ...row('edit_spacing_progress', 'edit spacing per message, 50 jobs', progress), note: `waiting and progress edits; pairs < 2 s: ${[...closePairs].map(([k, n]) => `${k} ×${n}`).join(', ') || 'none'}` },
        { ...row('edit_spacing', 'edit spacing incl. the final edit', all), budget: 'final exempt', pass: undefined, note: `smallest gap per message; ${editCount} edits` },
        { id: 'edit_429s', label: '429s at 50 concurrent jobs', unit: '', median: world.fake.rateLimitedCount, budget: '0', pass: world.fake.rateLimitedCount === 0 },
      ];
    } finally {
      await world.close();
      await Promise.all(simulators.map((s) => s.close()));
    }
  },
};
