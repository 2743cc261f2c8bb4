import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMessage, InteractionHandle } from '../support/fake-discord/index.ts';
import { testImage } from '../support/jobs.ts';
import { openWorld, type World as Harness } from '../support/world.ts';
import { report } from './support.ts';

/**
 * The platform around a running job misbehaves: the bot restarts, ComfyUI restarts (the
 * simulator; the real server is covered on its own suite), Discord answers with 429 and
 * 5xx storms. Bot, worker (REST reporter), simulator and fake Discord as in production.
 */

let world: Harness;
beforeAll(async () => {
  world = await openWorld({ discord: true, bot: true, simulators: { knobs: { secondsPerStep: 0.25 } }, worker: { reports: 'rest' }, tuning: { pipeline: { progressIntervalMs: 100, previewIntervalMs: 200, pollIntervalMs: 200 } } });
});
afterAll(async () => {
  await world?.close();
});

const hasVideo = (m: FakeMessage | undefined) => (m?.attachments ?? []).some((a) => a.filename.endsWith('.mp4'));
const SLOW = { timeoutMs: 60_000 };
const rows: string[] = [];

async function startJob(prompt: string): Promise<{ handle: InteractionHandle; running: FakeMessage }> {
  const handle = world.fake.invokeCommand({ name: 'i2v', options: { prompt, preset: 'fast' }, attachment: { filename: 'x.png', data: await testImage() } });
  const running = await handle.waitForResponse((m) => /pass/.test(m.content), SLOW);
  return { handle, running };
}

/** One video on the status message, uploaded once, and no other public message for the job. */
function expectOneVideo(handle: InteractionHandle, label: string) {
  const message = handle.response()!;
  const uploads = new Set(handle.history().flatMap((v) => v.attachments.filter((a) => a.filename.endsWith('.mp4')).map((a) => a.url)));
  const extra = world.fake.messages().filter((m) => !m.deleted && m.id !== message.id && m.content.includes(message.content.split('\n')[1] ?? '\u0000'));
  rows.push(`| ${label} | ${uploads.size} video${uploads.size === 1 ? '' : 's'} | ${extra.length} |`);
  expect(uploads.size).toBe(1);
  expect(extra).toHaveLength(0);
}

describe('the platform misbehaves while a job runs', () => {
  it('the bot restarts mid-job: the worker still delivers once, and the new bot acts on the result', async () => {
    const { handle } = await startJob('bot restart');
    await world.restartBot();
    const done = await handle.waitForResponse(hasVideo, SLOW);
    expectOneVideo(handle, 'bot restarted while the job sampled');
    await world.fake.waitFor(() => (world.fake.message(done.id)?.reactions?.length ?? 0) >= 3 || undefined);
  });

  it('ComfyUI restarts mid-job (queue and history forgotten): submitted again once, delivered once', async () => {
    const before = world.simulator!.timeline.length;
    const { handle } = await startJob('comfy restart');
    await world.simulator!.restart();
    await handle.waitForResponse(hasVideo, SLOW);
    expectOneVideo(handle, 'ComfyUI (simulator) restarted while the job sampled');
    expect(world.simulator!.timeline.length - before).toBe(2);
  });

  it('a 429 storm on the channel routes while the video goes out: delivered once, final state intact', async () => {
    const { handle } = await startJob('rate limit storm');
    world.fake.forceRateLimit({ route: 'channel', count: 25, retryAfterMs: 400 });
    await handle.waitForResponse(hasVideo, SLOW);
    expectOneVideo(handle, '25 forced 429s (retry_after 0.4 s) on channel routes during progress and delivery');
    expect(world.fake.rateLimitedCount).toBeGreaterThanOrEqual(1);
  });

  it('a 5xx storm from Discord while the video goes out: retried, delivered once', async () => {
    const { handle } = await startJob('server error storm');
    world.fake.force5xx({ route: 'channel', count: 6, status: 502 });
    await handle.waitForResponse(hasVideo, SLOW);
    expectOneVideo(handle, '6 forced 502s on channel routes during progress and delivery');
  });

  it('reports', async () => {
    await report('platform.md', ['| fault | ended as | extra public messages |', '|---|---|---|', ...rows]);
  });
});
