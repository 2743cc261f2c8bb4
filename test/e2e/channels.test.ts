import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counts } from '../../src/queue/index.ts';
import { EPHEMERAL, testImage } from '../support/jobs.ts';
import { openWorld, type World } from '../support/world.ts';

/** ALLOWED_CHANNEL_IDS names another channel: here, members get a private pointer there and nothing happens. */

const ELSEWHERE = '100000000000000555';
let world: World;
beforeAll(async () => {
  world = await openWorld({ discord: true, bot: true, env: { ALLOWED_CHANNEL_IDS: ELSEWHERE } });
});
afterAll(async () => {
  await world?.close();
});

describe('a channel outside ALLOWED_CHANNEL_IDS', () => {
  it('/i2v and Apps → Animate answer privately where to ask, and queue nothing', async () => {
    const run = world.fake.invokeCommand({ name: 'i2v', options: { prompt: 'a cat' }, attachment: { filename: 'cat.png', data: await testImage() } });
    const reply = await run.waitForResponse();
    expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(reply.content).toContain(`<#${ELSEWHERE}>`);

    const source = world.fake.postMessage({ attachments: [{ filename: 'dog.png', data: await testImage() }] });
    const animate = world.fake.invokeMessageCommand({ name: 'Animate', messageId: source.id });
    const refused = await animate.waitForResponse();
    expect(refused.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(refused.content).toContain(`<#${ELSEWHERE}>`);
    expect(animate.modal()).toBeUndefined();

    const c = await counts(world.bot.context.queue);
    expect(c.waiting + c.active + c.delayed + c.completed + c.failed).toBe(0);
    expect(world.fake.messages().filter((m) => (m.flags & EPHEMERAL) === 0 && m.author.id === world.fake.botUserId)).toHaveLength(0);
  });

  it('/jobs still answers there: the rule is about making videos', async () => {
    const run = world.fake.invokeCommand({ name: 'jobs' });
    const reply = await run.waitForResponse();
    expect(reply.content).not.toContain(`<#${ELSEWHERE}>`);
  });
});
