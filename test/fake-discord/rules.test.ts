import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordAPIError, Events, Routes, type ChatInputCommandInteraction, type Client } from 'discord.js';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.ts';
import { connectTestClient } from '../support/fake-discord/test-client.ts';

const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe('fake Discord: the platform rules a bot must live with', () => {
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

  /** Invokes /i2v and runs `handler` on the interaction discord.js builds from it. */
  function invoke<T>(handler: (interaction: ChatInputCommandInteraction) => Promise<T>, options: { attachmentSizeLimit?: number } = {}) {
    const outcome = new Promise<T>((resolve, reject) => {
      client.once(Events.InteractionCreate, (interaction) => {
        if (interaction.isChatInputCommand()) handler(interaction).then(resolve, reject);
      });
    });
    const invocation = fake.invokeCommand({ name: 'i2v', attachment: { filename: 'in.png', data: png }, ...options });
    return { invocation, outcome };
  }

  it('after 15 minutes the interaction token is refused with 50027, while the bot-token channel route still edits the message', async () => {
    const { invocation, outcome } = invoke(async (interaction) => {
      await interaction.deferReply();
      await interaction.editReply('Rendering: 10%');
      fake.advanceClock(15 * 60_000 + 1);
      const refused = await interaction.editReply('Rendering: 90%').catch((error: unknown) => error);
      const messageId = invocation.response()!.id;
      await client.rest.patch(Routes.channelMessage(fake.channelId, messageId), { body: { content: 'Done (posted with the bot token)' } });
      return refused;
    });
    const refused = await outcome;
    expect(refused).toBeInstanceOf(DiscordAPIError);
    expect(refused).toMatchObject({ status: 401, code: 50027, message: 'Invalid Webhook Token' });
    expect(client.token).toBe(fake.token);
    expect(invocation.history().map((version) => [version.via, version.content])).toEqual([
      ['callback', ''],
      ['webhook', 'Rendering: 10%'],
      ['channel', 'Done (posted with the bot token)'],
    ]);
  });

  it('expireTokens kills every token at once', async () => {
    const { outcome } = invoke(async (interaction) => {
      await interaction.deferReply();
      fake.expireTokens();
      return interaction.editReply('late').catch((error: unknown) => error);
    });
    expect(await outcome).toMatchObject({ code: 50027 });
  });

  it('a callback later than 3 seconds is refused with 10062', async () => {
    const { invocation, outcome } = invoke(async (interaction) => {
      fake.advanceClock(3_001);
      return interaction.deferReply().catch((error: unknown) => error);
    });
    expect(await outcome).toMatchObject({ status: 404, code: 10062 });
    expect(invocation.ack).toBeUndefined();
  });

  it('a second callback is refused with 40060', async () => {
    const { invocation, outcome } = invoke(async (interaction) => {
      await interaction.deferReply();
      // discord.js refuses a second deferReply itself, so go to the wire to see Discord's answer.
      return client.rest.post(Routes.interactionCallback(interaction.id, interaction.token), { body: { type: 5 }, auth: false }).catch((error: unknown) => error);
    });
    expect(await outcome).toMatchObject({ status: 400, code: 40060 });
    expect(invocation.ack?.type).toBe(5);
  });

  it("an upload over the interaction's attachment_size_limit is refused with 413/40005, and over the channel's limit too", async () => {
    const { outcome } = invoke(
      async (interaction) => {
        expect(interaction.attachmentSizeLimit).toBe(1024);
        await interaction.deferReply();
        const tooBig = await interaction.editReply({ files: [{ attachment: Buffer.alloc(1025), name: 'big.mp4' }] }).catch((error: unknown) => error);
        const fits = await interaction.editReply({ files: [{ attachment: Buffer.alloc(1024), name: 'ok.mp4' }] });
        return { tooBig, fits };
      },
      { attachmentSizeLimit: 1024 },
    );
    const { tooBig, fits } = await outcome;
    expect(tooBig).toMatchObject({ status: 413, code: 40005 });
    expect(fits.attachments.size).toBe(1);

    const channel = client.channels.cache.get(fake.channelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    await expect(channel.send({ files: [{ attachment: Buffer.alloc(10 * 1024 * 1024 + 1), name: 'huge.mp4' }] })).rejects.toMatchObject({ status: 413, code: 40005 });
  });

  it('more than 10 attachments are refused with 30015', async () => {
    const channel = client.channels.cache.get(fake.channelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const files = Array.from({ length: 11 }, (_, index) => ({ attachment: Buffer.from([index]), name: `frame${index}.png` }));
    await expect(channel.send({ files })).rejects.toMatchObject({ status: 400, code: 30015 });
  });

  it('a rule switched off lets the late callback through', async () => {
    fake.rules.interactionDeadline = false;
    const { invocation, outcome } = invoke(async (interaction) => {
      fake.advanceClock(10_000);
      await interaction.deferReply();
    });
    await outcome;
    expect(invocation.ack?.afterMs).toBeGreaterThanOrEqual(10_000);
  });
});
