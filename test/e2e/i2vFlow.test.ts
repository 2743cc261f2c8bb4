import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findJobByMessage } from '../../src/queue/index.ts';
import type { FakeMessage } from '../support/fake-discord/index.ts';
import { testImage } from '../support/jobs.ts';
import { openWorld, type World } from '../support/world.ts';

/** The whole path: fake Discord, real discord.js, real Redis, the simulator, the real worker. */

let world: World;
beforeAll(async () => {
  world = await openWorld({ discord: true, bot: true, simulators: { knobs: { secondsPerStep: 0.02 } }, worker: { reports: 'rest' }, tuning: { pipeline: { progressIntervalMs: 100, previewIntervalMs: 200, pollIntervalMs: 200 } } });
});
afterAll(async () => {
  await world?.close();
});

const hasVideo = (m: FakeMessage | undefined) => (m?.attachments ?? []).some((a) => a.filename.endsWith('.mp4'));
const seedOf = (m: FakeMessage) => /seed (\d+)/.exec(m.content)?.[1];
const SLOW = { timeoutMs: 30_000 };

function expectPlayable(bytes: Buffer) {
  const path = join(world.dataDir, `check-${Date.now()}.mp4`);
  writeFileSync(path, bytes);
  const probe = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,nb_read_frames', '-count_frames', '-of', 'csv=p=0', path]).toString();
  expect(probe).toMatch(/^h264,\d+/);
}

describe('/i2v from command to video', () => {
  let original: FakeMessage;

  it('defers at once, shows the queue position, progress, then a playable MP4 under the limit', async () => {
    const handle = world.fake.invokeCommand({ name: 'i2v', options: { prompt: 'a fox jumps', preset: 'fast' }, attachment: { filename: 'fox.png', data: await testImage() } });
    const ack = await handle.acked();
    expect(ack.type).toBe(5);
    expect(ack.afterMs).toBeLessThan(3000);
    original = await handle.waitForResponse(hasVideo, SLOW);
    const contents = handle.history().map((v) => v.content);
    expect(contents.some((c) => /Waiting|next in line|position/.test(c))).toBe(true);
    expect(contents.some((c) => /pass|Loading models|Decoding|Encoding/.test(c))).toBe(true);
    const video = original.attachments.find((a) => a.filename.endsWith('.mp4'))!;
    expect(video.size).toBeLessThanOrEqual(10 * 1024 * 1024);
    expectPlayable(world.fake.attachmentBytes(video));
    expect(original.content).toContain('a fox jumps');
    await world.fake.waitFor(() => (world.fake.message(original.id)?.reactions?.length ?? 0) >= 3 || undefined);
    // Resolved once at acceptance and stored with the job (no placement: that is the worker's).
    const job = await findJobByMessage(world.bot.context.queue, original.id);
    expect(job?.data.params).toMatchObject({ preset: 'fast', prompt: 'a fox jumps', seed: job?.data.options.seed });
    expect(job?.data.params).not.toHaveProperty('computeDevice');
  });

  it('🔁 answers with a new message replying to the original: a second video with another seed', async () => {
    world.fake.react(original.id, '🔁');
    const again = await world.fake.waitForMessage((m) => m.message_reference?.message_id === original.id && hasVideo(m), SLOW);
    expect(seedOf(again)).toBeDefined();
    expect(seedOf(again)).not.toBe(seedOf(original));
    const job = await findJobByMessage(world.bot.context.queue, again.id);
    expect(job?.data.params?.seed).toBe(job?.data.options.seed);
    expect(String(job?.data.options.seed)).toBe(seedOf(again));
  });

  it('⬆️ answers with an upscaled video', async () => {
    world.fake.react(original.id, '⬆️');
    const upscaled = await world.fake.waitForMessage((m) => m.message_reference?.message_id === original.id && m.content.includes('Upscaled') && hasVideo(m), SLOW);
    expectPlayable(world.fake.attachmentBytes(upscaled.attachments[0]!));
  });

  it('another member’s reaction is removed and does nothing', async () => {
    const before = world.fake.messages().length;
    world.fake.react(original.id, '🔁', { userId: '100000000000000077' });
    await world.fake.waitForRequest((r) => r.method === 'DELETE' && r.path.includes(`/messages/${original.id}/reactions/`) && r.path.endsWith('/100000000000000077'));
    expect(world.fake.messages().length).toBe(before);
  });

  it('❌ cancels a running job', async () => {
    world.simulator!.knobs.secondsPerStep = 0.5;
    try {
      const handle = world.fake.invokeCommand({ name: 'i2v', options: { prompt: 'slow one' }, attachment: { filename: 'slow.png', data: await testImage() } });
      const running = await handle.waitForResponse((m) => /pass/.test(m.content), SLOW);
      world.fake.react(running.id, '❌');
      const cancelled = await handle.waitForResponse((m) => m.content.includes('Cancelled'), SLOW);
      expect(hasVideo(cancelled)).toBe(false);
    } finally {
      world.simulator!.knobs.secondsPerStep = 0.02;
    }
  });

  it('LoRA autocomplete lists what ComfyUI has, the focused option’s group first', async () => {
    const choices = (await world.fake.autocomplete({ name: 'i2v', options: { lora_low: 'orbit' }, focused: 'lora_low' })) as { name: string; value: string }[];
    expect(choices.map((c) => c.value)).toEqual(['low_noise/orbit_camera_low.safetensors', 'high_noise/orbit_camera_high.safetensors']);
    expect(choices[0]!.name).toMatch(/^Low-noise/);
  });
});
