import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counts } from '../../src/queue/index.ts';
import type { FakeMessage } from '../support/fake-discord/index.ts';
import { EPHEMERAL, testImage } from '../support/jobs.ts';
import { openWorld, type World } from '../support/world.ts';

/** Apps → Animate on a member's message, /i2v spoiler, blocked terms and allowed channels, end to end. */

let world: World;
beforeAll(async () => {
  world = await openWorld({ discord: true, bot: true, simulators: { knobs: { secondsPerStep: 0.01 } }, worker: { reports: 'rest' }, env: { BLOCKED_TERMS: 'Gore, very bad' } });
});
afterAll(async () => {
  await world?.close();
});

const SLOW = { timeoutMs: 60_000 };
const hasVideo = (m: FakeMessage | undefined) => (m?.attachments ?? []).some((a) => a.filename.endsWith('.mp4'));
const publicMessages = () => world.fake.messages().filter((m) => !m.deleted && (m.flags & EPHEMERAL) === 0);
/** Every job the queue has seen, whatever its state: "nothing queued" means this does not grow. */
const jobsEver = async () => {
  const c = await counts(world.bot.context.queue);
  return c.waiting + c.active + c.delayed + c.completed + c.failed;
};

describe('Apps → Animate on a message', () => {
  it('is registered as a message command by `npm run register`', () => {
    const animate = world.fake.commands().find((c) => c.name === 'Animate');
    expect(animate?.type).toBe(3);
  });

  it('asks for a prompt and a preset, then posts the status message in the channel replying to the source, and a video', async () => {
    const source = world.fake.postMessage({ content: 'look at my cat', attachments: [{ filename: 'cat.png', data: await testImage(800, 600) }] });
    const command = world.fake.invokeMessageCommand({ name: 'Animate', messageId: source.id });
    expect((await command.acked()).type).toBe(9);
    const submit = world.fake.submitModal(command, { prompt: 'the cat yawns', preset: 'fast' });
    const answer = await submit.waitForResponse((m) => m.content !== '', SLOW);
    expect(answer.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(answer.content).toMatch(/Animating/);
    const video = await world.fake.waitForMessage((m) => m.message_reference?.message_id === source.id && hasVideo(m), SLOW);
    expect(video.content).toContain('the cat yawns');
    expect(video.content).toContain('`fast`');
    expect(world.fake.messageHistory(video.id).every((v) => v.via === 'channel')).toBe(true);
  });

  it('works on an embedded image from an allowed host', async () => {
    const upload = world.fake.postMessage({ attachments: [{ filename: 'dog.png', data: await testImage(640, 640) }] });
    const link = upload.attachments[0]!.url;
    const source = world.fake.postMessage({ content: link, embeds: [{ type: 'image', url: link, thumbnail: { url: link, width: 640, height: 640 } }] });
    const command = world.fake.invokeMessageCommand({ name: 'Animate', messageId: source.id });
    await command.acked();
    world.fake.submitModal(command, { prompt: 'the dog wags its tail' });
    await world.fake.waitForMessage((m) => m.message_reference?.message_id === source.id && hasVideo(m), SLOW);
  });

  it('on a message without a usable image answers privately what to do, and queues nothing', async () => {
    const before = publicMessages().length;
    const jobsBefore = await jobsEver();
    const text = world.fake.postMessage({ content: 'just words' });
    const elsewhere = world.fake.postMessage({ content: 'https://example.com/x.png', embeds: [{ type: 'image', url: 'https://example.com/x.png', thumbnail: { url: 'https://example.com/x.png' } }] });
    for (const message of [text, elsewhere]) {
      const command = world.fake.invokeMessageCommand({ name: 'Animate', messageId: message.id });
      const reply = await command.waitForResponse();
      expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(reply.content).toMatch(/no picture I can use.*attached image/);
      expect(command.modal()).toBeUndefined();
    }
    expect(publicMessages()).toHaveLength(before + 2);
    expect(await jobsEver()).toBe(jobsBefore);
  });
});

describe('spoilers, refused words and allowed channels', () => {
  it('/i2v spoiler posts the video as a spoiler', async () => {
    const run = world.fake.invokeCommand({ name: 'i2v', options: { prompt: 'a surprise', spoiler: true, frames: 17 }, attachment: { filename: 'gift.png', data: await testImage() } });
    const done = await run.waitForResponse(hasVideo, SLOW);
    expect(done.attachments[0]!.filename).toMatch(/^SPOILER_.+\.mp4$/);
  });

  it('a prompt with a blocked term is refused privately, in /i2v and in the Animate form', async () => {
    const before = publicMessages().length;
    const jobsBefore = await jobsEver();
    const run = world.fake.invokeCommand({ name: 'i2v', options: { prompt: 'lots of GORE here' }, attachment: { filename: 'a.png', data: await testImage() } });
    const reply = await run.waitForResponse();
    expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(reply.content).toMatch(/does not allow “gore”/);

    const source = world.fake.postMessage({ attachments: [{ filename: 'b.png', data: await testImage() }] });
    const command = world.fake.invokeMessageCommand({ name: 'Animate', messageId: source.id });
    await command.acked();
    const submit = world.fake.submitModal(command, { prompt: 'something very bad happens' });
    expect((await submit.waitForResponse((m) => m.content !== '')).content).toMatch(/does not allow “very bad”/);
    expect(publicMessages()).toHaveLength(before + 1);
    expect(await jobsEver()).toBe(jobsBefore);
  });
});
