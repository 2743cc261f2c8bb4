import { execFileSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counts, findJobIdByMessage, loadResult } from '../../src/queue/index.ts';
import { resultButtonId } from '../../src/status/customIds.ts';
import type { FakeMessage } from '../support/fake-discord/index.ts';
import { EPHEMERAL, testImage } from '../support/jobs.ts';
import { openWorld, type World } from '../support/world.ts';

/**
 * The buttons under a result, driven as a member's client would: real discord.js against
 * the fake Discord, real Redis, the simulator and the real worker.
 */

let world: World;
beforeAll(async () => {
  world = await openWorld({ discord: true, bot: true, simulators: { knobs: { secondsPerStep: 0.01 } }, worker: { reports: 'rest' }, env: { MAX_EXTENSIONS: '1' } });
});
afterAll(async () => {
  await world?.close();
});

const SLOW = { timeoutMs: 60_000 };
const STRANGER = '100000000000000077';
const hasVideo = (m: FakeMessage | undefined) => (m?.attachments ?? []).some((a) => a.filename.endsWith('.mp4'));
const repliesTo = (id: string) => (m: FakeMessage) => m.message_reference?.message_id === id;
const buttonIds = (m: FakeMessage) => (m.components as { components: { custom_id: string }[] }[]).flatMap((row) => row.components.map((b) => b.custom_id));
const publicMessages = () => world.fake.messages().filter((m) => !m.deleted && (m.flags & EPHEMERAL) === 0);
/** Every job the queue has seen, whatever its state: "nothing queued" means this does not grow. */
const jobsEver = async () => {
  const c = await counts(world.bot.context.queue);
  return c.waiting + c.active + c.delayed + c.completed + c.failed;
};
async function countFrames(bytes: Buffer): Promise<number> {
  const path = join(world.dataDir, `probe-${Date.now()}.mp4`);
  await writeFile(path, bytes);
  return Number(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path]).toString().trim());
}
const videoOf = (m: FakeMessage) => world.fake.attachmentBytes(m.attachments.find((a) => a.filename.endsWith('.mp4'))!);

let original: FakeMessage;
let jobId: string;

describe('buttons under a result', () => {
  it('a delivered video carries ✏️ Edit, 📋 Info and ⏩ Extend beside the three reactions', async () => {
    const run = world.fake.invokeCommand({ name: 'i2v', options: { prompt: 'a fox jumps', preset: 'fast', frames: 17 }, attachment: { filename: 'fox.png', data: await testImage() } });
    original = await run.waitForResponse(hasVideo, SLOW);
    jobId = (await findJobIdByMessage(world.bot.context.queue, original.id))!;
    expect(buttonIds(original)).toEqual([resultButtonId('edit', jobId), resultButtonId('info', jobId), resultButtonId('extend', jobId)]);
    await world.fake.waitFor(() => (world.fake.message(original.id)?.reactions?.length ?? 0) >= 3 || undefined);
  });

  it('a stranger’s click gets a private “not yours” and changes nothing', async () => {
    const before = publicMessages().length;
    const jobsBefore = await jobsEver();
    for (const button of ['edit', 'info', 'extend'] as const) {
      const click = world.fake.clickButton({ messageId: original.id, customId: resultButtonId(button, jobId), user: { id: STRANGER } });
      const reply = await click.waitForResponse();
      expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(reply.content).toMatch(/^Not yours/);
      expect(click.modal()).toBeUndefined();
    }
    expect(publicMessages()).toHaveLength(before);
    expect(world.fake.message(original.id)?.content).toBe(original.content);
    expect(await jobsEver()).toBe(jobsBefore);
  });

  it('📋 Info answers privately with what made the video and a copyable /i2v line', async () => {
    const click = world.fake.clickButton({ messageId: original.id, customId: resultButtonId('info', jobId) });
    const reply = await click.waitForResponse();
    expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
    const seed = /seed (\d+)/.exec(original.content)![1];
    expect(reply.content).toContain(`seed \`${seed}\``);
    // The model files the instance actually loaded, as the worker recorded them.
    const { models } = (await loadResult(world.bot.context.queue, jobId))!.result;
    expect(models).toBeDefined();
    for (const file of Object.values(models!)) expect(reply.content).toContain(`\`${file}\``);
    expect(reply.content).toMatch(/\*\*Models:\*\* `[^`]+\.gguf`/);
    expect(reply.content).toMatch(/\d+×\d+ · 17 frames at 16 fps/);
    expect(reply.content).toMatch(/on `http:\/\/127\.0\.0\.1:\d+`/);
    expect(reply.content).toContain(`/i2v prompt:a fox jumps preset:fast frames:17 seed:${seed}`);
  });

  it('✏️ Edit opens a form filled with the job’s values; its submit makes a new video with the new prompt', async () => {
    const click = world.fake.clickButton({ messageId: original.id, customId: resultButtonId('edit', jobId) });
    expect((await click.acked()).type).toBe(9);
    const modal = JSON.stringify(click.modal());
    expect(modal).toContain('"value":"a fox jumps"');
    expect(modal).toContain('"value":"17"');

    // Two fast submits of the same form: one job.
    const first = world.fake.submitModal(click, { prompt: 'a fox dances in the snow', seed: '' });
    const second = world.fake.submitModal(click, { prompt: 'a fox dances in the snow', seed: '' });
    const answers = await Promise.all([first.waitForResponse((m) => m.content !== '', SLOW), second.waitForResponse((m) => m.content !== '', SLOW)]);
    expect(answers.every((m) => (m.flags & EPHEMERAL) === EPHEMERAL)).toBe(true);
    expect(answers.map((m) => m.content).join('\n')).toMatch(/already on its way/);

    const edited = await world.fake.waitForMessage((m) => repliesTo(original.id)(m) && hasVideo(m) && m.content.includes('a fox dances in the snow'), SLOW);
    expect(edited.content).not.toContain('a fox jumps');
    expect(world.fake.messages().filter((m) => repliesTo(original.id)(m) && m.content.includes('a fox dances'))).toHaveLength(1);
    expect(await countFrames(videoOf(edited))).toBe(17);
  });

  it('✏️ values outside the preset’s range are refused privately with the range, and nothing is queued', async () => {
    const before = publicMessages().length;
    const jobsBefore = await jobsEver();
    const click = world.fake.clickButton({ messageId: original.id, customId: resultButtonId('edit', jobId) });
    await click.acked();
    for (const [values, answer] of [
      [{ frames: '201' }, /choose between 17 and 81 frames/],
      [{ frames: 'lots' }, /is not a number of frames/],
      [{ seed: '-3' }, /is not a seed/],
    ] as const) {
      const submit = world.fake.submitModal(click, values);
      const reply = await submit.waitForResponse((m) => m.content !== '');
      expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(reply.content).toMatch(answer);
    }
    expect(publicMessages()).toHaveLength(before);
    expect(await jobsEver()).toBe(jobsBefore);
  });

  let extended: FakeMessage;
  it('⏩ Extend continues from the last frame and posts one joined clip: frames = sum − the shared frame', async () => {
    const click = world.fake.clickButton({ messageId: original.id, customId: resultButtonId('extend', jobId) });
    expect((await click.acked()).type).toBe(9);
    expect(JSON.stringify(click.modal())).toContain('"value":"a fox jumps"');
    const submit = world.fake.submitModal(click, { prompt: 'the fox lands and runs away' });
    // Extracting the last frame runs ffmpeg before the answer: allow for a loaded machine.
    expect((await submit.waitForResponse((m) => m.content !== '', SLOW)).content).toMatch(/Extending/);
    extended = await world.fake.waitForMessage((m) => repliesTo(original.id)(m) && hasVideo(m) && m.content.includes('runs away'), SLOW);
    expect(extended.content).toContain('Extended');
    const parentFrames = await countFrames(videoOf(original));
    expect(await countFrames(videoOf(extended))).toBe(parentFrames + 17 - 1);
    expect(extended.attachments[0]!.size).toBeLessThanOrEqual(10 * 1024 * 1024);
  });

  it('⏩ on a clip already at the cap (MAX_EXTENSIONS) is refused privately, nothing queued', async () => {
    const jobsBefore = await jobsEver();
    const extendedJob = (await findJobIdByMessage(world.bot.context.queue, extended.id))!;
    const click = world.fake.clickButton({ messageId: extended.id, customId: resultButtonId('extend', extendedJob) });
    const reply = await click.waitForResponse();
    expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(reply.content).toMatch(/extended 1 times, the most this server allows/);
    expect(click.modal()).toBeUndefined();
    expect(await jobsEver()).toBe(jobsBefore);
  });

  it('buttons on a result from before a bot restart still work', async () => {
    await world.restartBot();
    const info = world.fake.clickButton({ messageId: original.id, customId: resultButtonId('info', jobId) });
    expect((await info.waitForResponse()).content).toContain('How this video was made');
    const edit = world.fake.clickButton({ messageId: original.id, customId: resultButtonId('edit', jobId) });
    expect((await edit.acked()).type).toBe(9);
    world.fake.submitModal(edit, { prompt: 'after the restart' });
    await world.fake.waitForMessage((m) => repliesTo(original.id)(m) && hasVideo(m) && m.content.includes('after the restart'), SLOW);
  });

  it('weeks later, when BullMQ has long forgotten the job, the result record still answers the buttons', async () => {
    const queue = world.bot.context.queue;
    await queue.queue.remove(jobId);
    expect(await queue.queue.getJob(jobId)).toBeUndefined();
    const ttl = await world.redis.ttl(queue.keys.result(jobId));
    expect(ttl).toBeGreaterThan(30 * 24 * 3600);
    const info = world.fake.clickButton({ messageId: original.id, customId: resultButtonId('info', jobId) });
    expect((await info.waitForResponse()).content).toContain('How this video was made');
  });

  it('a click on a result whose files are gone, or whose record expired, says what to do and queues nothing', async () => {
    const jobsBefore = await jobsEver();
    const record = (await loadResult(world.bot.context.queue, jobId))!;
    await rm(record.data.input.path);
    const edit = world.fake.clickButton({ messageId: original.id, customId: resultButtonId('edit', jobId) });
    expect((await edit.waitForResponse()).content).toMatch(/no longer on the server.*Run `\/i2v` again/);
    await world.redis.del(world.bot.context.queue.keys.result(jobId));
    const info = world.fake.clickButton({ messageId: original.id, customId: resultButtonId('info', jobId) });
    const reply = await info.waitForResponse();
    expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(reply.content).toMatch(/buttons have expired\. Run `\/i2v` again/);
    expect(await jobsEver()).toBe(jobsBefore);
  });
});
