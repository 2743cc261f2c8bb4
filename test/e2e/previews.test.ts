import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FakeMessage } from '../support/fake-discord/index.ts';
import { testImage } from '../support/jobs.ts';
import { openWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await openWorld({ discord: true, bot: true, simulators: { knobs: { secondsPerStep: 0.3, previews: true } }, worker: { reports: 'rest' }, tuning: { pipeline: { progressIntervalMs: 100, previewIntervalMs: 200, pollIntervalMs: 200 } } });
});
afterAll(async () => {
  await world?.close();
});

const hasVideo = (m: FakeMessage | undefined) => (m?.attachments ?? []).some((a) => a.filename.endsWith('.mp4'));

it('shows ComfyUI’s latest preview frame while sampling, and only the video once done', async () => {
  const handle = world.fake.invokeCommand({ name: 'i2v', options: { prompt: 'clouds drift', preset: 'fast' }, attachment: { filename: 'sky.png', data: await testImage() } });
  const done = await handle.waitForResponse(hasVideo, { timeoutMs: 60_000 });
  const withPreview = handle.history().filter((version) => version.attachments.some((a) => a.filename === 'preview.jpg'));
  expect(withPreview.length).toBeGreaterThan(0);
  expect(withPreview.some((version) => /High-noise pass|Low-noise pass/.test(version.content))).toBe(true);
  // Only running states carry it (🎬); the finished message shows the video alone.
  expect(withPreview.every((version) => version.content.startsWith('🎬'))).toBe(true);
  const preview = withPreview.at(-1)!.attachments.find((a) => a.filename === 'preview.jpg')!;
  expect(world.fake.attachmentBytes(preview).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  expect(done.attachments.map((a) => a.filename)).toEqual([expect.stringMatching(/\.mp4$/)]);
});
