import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findJobIdByMessage } from '../../src/queue/index.ts';
import { testImage } from '../support/jobs.ts';
import { openWorld, type World } from '../support/world.ts';

/** No worker here: jobs stay waiting, so what the bot alone does with them can be watched. */

let world: World;
beforeAll(async () => {
  world = await openWorld({ discord: true, bot: true });
});
afterAll(async () => {
  await world?.close();
});

describe('a restarted bot', () => {
  it('keeps the waiting messages it never saw up to date, and acts on reactions to them', async () => {
    const first = world.fake.invokeCommand({ name: 'i2v', options: { prompt: 'first' }, attachment: { filename: 'a.png', data: await testImage() } });
    const firstMessage = await first.waitForResponse((m) => m.content.includes('Waiting'));
    const second = world.fake.invokeCommand({ name: 'i2v', options: { prompt: 'second' }, attachment: { filename: 'b.png', data: await testImage() } });
    const secondMessage = await second.waitForResponse((m) => m.content.includes('position 2 of 2'));

    await world.restartBot();

    const firstJob = await findJobIdByMessage(world.bot.context.queue, firstMessage.id);
    const cancel = world.fake.invokeCommand({ name: 'queue', subcommand: 'cancel', options: { job: firstJob! }, permissions: 32n });
    await cancel.waitForResponse((m) => m.content.includes('Cancelled'));
    await first.waitForResponse((m) => m.content.includes('🚫'));
    // The new bot moves the second job to the front of the line on its message.
    await world.fake.waitFor(() => world.fake.message(secondMessage.id)?.content.includes('next in line') || undefined);

    // A reaction on a message from before the restart: partial on arrival, the job found in Redis.
    world.fake.react(secondMessage.id, '❌');
    await world.fake.waitFor(() => world.fake.message(secondMessage.id)?.content.includes('🚫') || undefined);
    const edits = world.fake.requests.filter((r) => r.method === 'PATCH' && r.path.includes(`/messages/${secondMessage.id}`));
    expect(edits.every((r) => r.auth === 'bot')).toBe(true);
  });

  it('/jobs lists a member’s jobs privately', async () => {
    const handle = world.fake.invokeCommand({ name: 'jobs' });
    const reply = await handle.waitForResponse((m) => m.content.includes('Your recent videos'));
    expect(reply.flags & 64).toBe(64);
    expect(reply.content).toContain('🚫');
  });
});
