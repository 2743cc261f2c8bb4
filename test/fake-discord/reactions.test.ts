import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Events, type Client, type MessageReaction, type PartialMessageReaction, type PartialUser, type User } from 'discord.js';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.ts';
import { connectTestClient } from '../support/fake-discord/test-client.ts';

type Seen = { reaction: MessageReaction | PartialMessageReaction; user: User | PartialUser };

describe('fake Discord: reactions', () => {
  let fake: FakeDiscord;
  let client: Client<true>;
  let added: Seen[];

  beforeEach(async () => {
    fake = await startFakeDiscord();
    client = await connectTestClient(fake);
    added = [];
    client.on(Events.MessageReactionAdd, (reaction, user) => void added.push({ reaction, user }));
  });
  afterEach(async () => {
    await client.destroy();
    await fake.close();
  });

  async function postResult() {
    const channel = client.channels.cache.get(fake.channelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    return channel.send('Video ready');
  }

  it("the bot's own reaction comes back to it as MESSAGE_REACTION_ADD", async () => {
    const message = await postResult();
    await message.react('🔁');
    await fake.waitFor(() => added.length === 1);
    expect(added[0]?.user.id).toBe(fake.botUserId);
    expect(added[0]?.reaction.emoji.name).toBe('🔁');
    expect(fake.message(message.id)?.reactions).toEqual([expect.objectContaining({ count: 1, me: true, emoji: { id: null, name: '🔁' } })]);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'PUT', rawPath: expect.stringContaining('/reactions/%F0%9F%94%81/@me'), status: 204 });
  });

  it("a member's reaction on a message the client no longer caches arrives partial and fetches the message", async () => {
    const message = await postResult();
    await message.react('⬆️');
    const channel = client.channels.cache.get(fake.channelId);
    if (!channel?.isTextBased()) throw new Error('no text channel');
    channel.messages.cache.clear();

    fake.react(message.id, '⬆️', { userId: fake.memberUserId });
    await fake.waitFor(() => added.length === 2);
    const { reaction, user } = added[1]!;
    expect(user.id).toBe(fake.memberUserId);
    expect(reaction.partial).toBe(true);
    expect(reaction.message.partial).toBe(true);
    const full = await reaction.fetch();
    expect(full.count).toBe(2);
    // discord.js does not re-read `me` on fetch; the fetched message carries it.
    expect(full.message.reactions.cache.get('⬆️')?.me).toBe(true);
    expect(full.message.content).toBe('Video ready');
    expect(fake.requests.some((request) => request.method === 'GET' && request.path === `/channels/${fake.channelId}/messages/${message.id}`)).toBe(true);
  });

  it('removals reach the client, and the bot can remove a member’s reaction', async () => {
    const removed: string[] = [];
    client.on(Events.MessageReactionRemove, (_reaction, user) => void removed.push(user.id));
    const message = await postResult();
    fake.react(message.id, '❌');
    await fake.waitFor(() => added.length === 1);
    fake.unreact(message.id, '❌');
    await fake.waitFor(() => removed.length === 1);
    fake.react(message.id, '❌');
    await fake.waitFor(() => added.length === 2);
    await added[1]!.reaction.users.remove(fake.memberUserId);
    await fake.waitFor(() => removed.length === 2);
    expect(removed).toEqual([fake.memberUserId, fake.memberUserId]);
    expect(fake.message(message.id)?.reactions).toBeUndefined();
  });

  it('a client without the GuildMessageReactions intent hears no reactions', async () => {
    const deaf = await connectTestClient(fake, { intents: ['Guilds'] });
    try {
      let heard = 0;
      deaf.on(Events.MessageReactionAdd, () => void (heard += 1));
      const message = await postResult();
      fake.react(message.id, '🔁');
      await fake.waitFor(() => added.length === 1);
      expect(heard).toBe(0);
    } finally {
      await deaf.destroy();
    }
  });

  it('an unknown emoji is refused with 10014', async () => {
    const message = await postResult();
    await expect(message.react(':repeat:')).rejects.toMatchObject({ code: 10014 });
  });
});
