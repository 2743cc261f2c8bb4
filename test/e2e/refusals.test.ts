import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counts } from '../../src/queue/index.ts';
import { EPHEMERAL, testImage } from '../support/jobs.ts';
import { openWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await openWorld({ discord: true, bot: true });
});
afterAll(async () => {
  await world?.close();
});

const publicMessages = () => world.fake.messages().filter((m) => !m.deleted && (m.flags & EPHEMERAL) === 0);
const nothingQueued = async () => {
  const c = await counts(world.bot.context.queue);
  expect(c.waiting + c.active + c.delayed).toBe(0);
};

describe('/i2v refuses bad input privately and changes nothing', () => {
  it('a text file gets an immediate private answer', async () => {
    const handle = world.fake.invokeCommand({
      name: 'i2v',
      options: { prompt: 'a cat' },
      attachment: { filename: 'notes.txt', data: Buffer.from('hello'), contentType: 'text/plain' },
    });
    const ack = await handle.acked();
    expect(ack.type).toBe(4);
    const reply = await handle.waitForResponse();
    expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(reply.content).toContain('is not an image');
    expect(publicMessages()).toHaveLength(0);
    await nothingQueued();
  });

  it('frames out of the preset’s range are refused with the allowed range', async () => {
    const handle = world.fake.invokeCommand({ name: 'i2v', options: { preset: 'fast', frames: 201 }, attachment: { filename: 'cat.png', data: await testImage() } });
    const reply = await handle.waitForResponse();
    expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(reply.content).toMatch(/choose between 17 and 81 frames/);
    expect(publicMessages()).toHaveLength(0);
    await nothingQueued();
  });

  // Both once slipped past the instant checks, showed "Waiting" in public, then failed the
  // stored job's schema at enqueue with a generic "went wrong" and a reference (issue 16).
  it('a negative seed is refused privately, naming the allowed seeds, before anything is public', async () => {
    const handle = world.fake.invokeCommand({ name: 'i2v', options: { prompt: 'a cat', seed: -5 }, attachment: { filename: 'cat.png', data: await testImage() } });
    expect((await handle.acked()).type).toBe(4);
    const reply = await handle.waitForResponse();
    expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(reply.content).toContain('Seed -5 is not allowed');
    expect(reply.content).toContain('between 0 and');
    expect(publicMessages()).toHaveLength(0);
    await nothingQueued();
  });

  it('a 3000-character prompt is refused privately with the limit, before anything is public', async () => {
    const prompt = 'a cat walking on the beach '.repeat(120).slice(0, 3000);
    const handle = world.fake.invokeCommand({ name: 'i2v', options: { prompt }, attachment: { filename: 'cat.png', data: await testImage() } });
    expect((await handle.acked()).type).toBe(4);
    const reply = await handle.waitForResponse();
    expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(reply.content).toContain('Your prompt is 3000 characters long; the limit is 2000');
    expect(publicMessages()).toHaveLength(0);
    await nothingQueued();
  });

  it('a corrupt image found only after the download ends privately, leaving nothing public', async () => {
    const data = Buffer.concat([(await testImage()).subarray(0, 200), Buffer.alloc(500, 7)]);
    const handle = world.fake.invokeCommand({ name: 'i2v', options: { prompt: 'x' }, attachment: { filename: 'broken.png', data, contentType: 'image/png', width: 640, height: 360 } });
    expect((await handle.acked()).type).toBe(5);
    const followup = await handle.waitForFollowup();
    expect(followup.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(followup.content).toMatch(/damaged|not an image/);
    await world.fake.waitFor(() => handle.response()?.deleted ?? true);
    expect(publicMessages()).toHaveLength(0);
    await nothingQueued();
  });
});

describe('admin commands', () => {
  it('a member without Manage Server cannot pause the queue, even when Discord let the command through', async () => {
    const handle = world.fake.invokeCommand({ name: 'queue', subcommand: 'pause', permissions: 0n });
    const reply = await handle.waitForResponse();
    expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(reply.content).toContain('Only server admins');
    expect((await counts(world.bot.context.queue)).paused).toBe(false);
  });

  it('a member with Manage Server can, and the answer is private', async () => {
    const handle = world.fake.invokeCommand({ name: 'queue', subcommand: 'pause', permissions: 32n });
    const reply = await handle.waitForResponse((m) => m.content.includes('Paused'));
    expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect((await counts(world.bot.context.queue)).paused).toBe(true);
  });
});
