import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Events, type ChatInputCommandInteraction, type Client } from 'discord.js';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.ts';
import { connectTestClient } from '../support/fake-discord/test-client.ts';

describe('fake Discord: rate limits, server errors and a dropped gateway', () => {
  let fake: FakeDiscord;
  let client: Client<true>;

  beforeEach(async () => {
    fake = await startFakeDiscord();
    client = await connectTestClient(fake);
  });
  afterEach(async () => {
    await client.destroy();
    await fake.close();
  });

  function invoke<T>(handler: (interaction: ChatInputCommandInteraction) => Promise<T>) {
    const outcome = new Promise<T>((resolve, reject) => {
      client.once(Events.InteractionCreate, (interaction) => {
        if (interaction.isChatInputCommand()) handler(interaction).then(resolve, reject);
      });
    });
    return { invocation: fake.invokeCommand({ name: 'i2v' }), outcome };
  }

  it('a 429 storm is absorbed by discord.js retrying, and the final state is intact', async () => {
    const { invocation, outcome } = invoke(async (interaction) => {
      await interaction.deferReply();
      fake.forceRateLimit({ route: 'webhook', count: 3, retryAfterMs: 50 });
      await interaction.editReply('Rendering: 50%');
      await interaction.editReply('Done');
    });
    await outcome;
    expect(fake.rateLimitedCount).toBe(3);
    const refusals = fake.requests.filter((request) => request.status === 429);
    expect(refusals).toHaveLength(3);
    expect(refusals.every((request) => request.method === 'PATCH')).toBe(true);
    expect(invocation.history().map((version) => version.content)).toEqual(['', 'Rendering: 50%', 'Done']);
  });

  it('every response carries the bucket headers, so a bot within its budget never sees a 429', async () => {
    const headers: Record<string, string>[] = [];
    client.rest.on('response', (request, response) => {
      if (request.method !== 'PATCH') return;
      headers.push(Object.fromEntries(['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-bucket'].map((name) => [name, response.headers.get(name) ?? ''])));
    });
    const { invocation, outcome } = invoke(async (interaction) => {
      await interaction.deferReply();
      // Seven edits in a row: the bucket allows five per two seconds, discord.js waits for the rest.
      for (let step = 1; step <= 7; step += 1) await interaction.editReply(`step ${step}`);
    });
    await outcome;
    expect(fake.rateLimitedCount).toBe(0);
    expect(invocation.response()?.content).toBe('step 7');
    // Remaining counts down within a window and starts again at 4 in the next one.
    const remaining = headers.map((header) => Number(header['x-ratelimit-remaining']));
    expect(remaining).toHaveLength(7);
    expect(remaining[0]).toBe(4);
    remaining.slice(1).forEach((value, index) => expect([remaining[index]! - 1, 4]).toContain(value));
    expect(headers[0]?.['x-ratelimit-limit']).toBe('5');
    expect(headers[0]?.['x-ratelimit-bucket']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('server errors are retried by discord.js and counted in the request log', async () => {
    fake.force5xx({ count: 2, route: 'channel' });
    const channel = client.channels.cache.get(fake.channelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const message = await channel.send('after two 500s');
    expect(fake.requests.filter((request) => request.status === 500)).toHaveLength(2);
    expect(fake.message(message.id)?.content).toBe('after two 500s');
  });

  it('after a dropped gateway the client resumes, is told the session is invalid, identifies again and still gets interactions', async () => {
    await fake.dropGateway();
    await fake.waitForSession({ timeoutMs: 15_000 });
    // Closes are left out: when the server notices a close races with the client's next connect.
    const lifecycle = fake.gatewayEvents.filter((event) => event.kind !== 'close').map((event) => event.kind);
    expect(lifecycle).toEqual(['connect', 'identify', 'connect', 'resume', 'connect', 'identify']);
    const { invocation, outcome } = invoke((interaction) => interaction.deferReply());
    await outcome;
    expect(invocation.ack?.type).toBe(5);
  }, 30_000);
});
