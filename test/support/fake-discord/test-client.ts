import { Client, Events, GatewayIntentBits, Partials, type ClientOptions } from 'discord.js';
import type { FakeDiscord } from './index.ts';

/**
 * A real discord.js Client pointed at the fake and logged in, resolved once the guild
 * is cached (`ClientReady`). Destroy it after the test (`await client.destroy()`).
 */
export async function connectTestClient(fake: FakeDiscord, options: Partial<ClientOptions> = {}): Promise<Client<true>> {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessageReactions],
    partials: [Partials.Message, Partials.Channel, Partials.Reaction],
    waitGuildTimeout: 1_000,
    ...options,
    rest: { api: fake.apiBase, ...options.rest },
  });
  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  try {
    await client.login(fake.token);
    return await ready;
  } catch (error) {
    await client.destroy();
    throw error;
  }
}
