import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { ButtonStyle, ComponentType, Events, MessageFlags, SlashCommandBuilder, type Client, type Interaction } from 'discord.js';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.ts';
import { connectTestClient } from '../support/fake-discord/test-client.ts';

const i2v = new SlashCommandBuilder()
  .setName('i2v')
  .setDescription('Turn an image into a short video')
  .addAttachmentOption((option) => option.setName('image').setDescription('The still image').setRequired(true))
  .addIntegerOption((option) => option.setName('seconds').setDescription('Length'))
  .addStringOption((option) => option.setName('preset').setDescription('Quality').setAutocomplete(true));

/** Enough of an MP4 for the fake to sniff; the fake stores bytes, it does not decode them. */
const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(4096, 7)]);

describe('fake Discord: an /i2v conversation with the real discord.js', () => {
  let fake: FakeDiscord;
  let client: Client<true>;
  let png: Buffer;

  beforeEach(async () => {
    fake = await startFakeDiscord();
    client = await connectTestClient(fake);
    await client.guilds.cache.get(fake.guildId)!.commands.set([i2v.toJSON()]);
    png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#c83' } }).png().toBuffer();
  });
  afterEach(async () => {
    await client.destroy();
    await fake.close();
  });

  /** Runs `handler` for the next interaction and hands back its outcome, errors included. */
  function onNextInteraction<T>(handler: (interaction: Interaction) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      client.once(Events.InteractionCreate, (interaction) => handler(interaction).then(resolve, reject));
    });
  }

  it('defer, download the input from the CDN, edit the progress, attach the MP4, follow up', async () => {
    const handled = onNextInteraction(async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a slash command');
      await interaction.deferReply();
      const image = interaction.options.getAttachment('image', true);
      const input = Buffer.from(await (await fetch(image.url)).arrayBuffer());
      await interaction.editReply('Queued: position 1');
      await interaction.editReply('Rendering: 40%');
      await interaction.editReply({ content: 'Done', files: [{ attachment: mp4, name: 'oelala.mp4' }] });
      await interaction.followUp({ content: 'Seed 42', flags: MessageFlags.Ephemeral });
      return { image, input, seconds: interaction.options.getInteger('seconds'), channelId: interaction.channelId, limit: interaction.attachmentSizeLimit };
    });

    const invocation = fake.invokeCommand({ name: 'i2v', options: { seconds: 5 }, attachment: { filename: 'cat.png', data: png } });
    const ack = await invocation.acked();
    expect(ack.type).toBe(5);
    const seen = await handled;

    expect(seen.seconds).toBe(5);
    expect(seen.channelId).toBe(fake.channelId);
    expect(seen.limit).toBe(10 * 1024 * 1024);
    expect(seen.image).toMatchObject({ name: 'cat.png', contentType: 'image/png', width: 640, height: 480, size: png.length, ephemeral: true });
    expect(seen.image.url).toMatch(/\/ephemeral-attachments\/.+\/cat\.png\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]+/);
    expect(seen.input.equals(png)).toBe(true);

    const response = invocation.response()!;
    expect(response).toMatchObject({ content: 'Done', type: 20, flags: 0, webhook_id: fake.applicationId, author: { id: fake.botUserId } });
    expect(response.interaction_metadata).toMatchObject({ id: invocation.id, type: 2, user: { id: fake.memberUserId } });
    const [video] = response.attachments;
    expect(video).toMatchObject({ filename: 'oelala.mp4', content_type: 'video/mp4', size: mp4.length });
    expect(fake.attachmentBytes(video!).equals(mp4)).toBe(true);
    expect(Buffer.from(await (await fetch(video!.url)).arrayBuffer()).equals(mp4)).toBe(true);

    const history = invocation.history();
    expect(history.map((version) => version.content)).toEqual(['', 'Queued: position 1', 'Rendering: 40%', 'Done']);
    expect(history[0]?.flags).toBe(1 << 7);
    expect(history.map((version) => version.attachments.length)).toEqual([0, 0, 0, 1]);

    const [followup] = invocation.followups();
    expect(followup).toMatchObject({ content: 'Seed 42', flags: 1 << 6 });
    expect(fake.messages().map((message) => message.content)).toEqual(['Done', 'Seed 42']);

    const calls = fake.requests.filter((request) => request.kind === 'api').map((request) => `${request.method} ${request.path} ${request.status}`);
    expect(calls).toContain(`POST /interactions/${invocation.id}/${invocation.token}/callback 204`);
    expect(fake.requests.find((request) => request.method === 'PATCH' && request.multipart)).toMatchObject({ auth: 'none', status: 200 });
    expect(fake.requests.find((request) => request.kind === 'cdn')).toMatchObject({ method: 'GET', status: 200 });
  });

  it('an edit without files keeps the video; an edit listing no attachments removes it', async () => {
    const handled = onNextInteraction(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.reply({ content: 'Here', files: [{ attachment: mp4, name: 'a.mp4' }] });
      await interaction.editReply({ content: 'Here, retitled' });
      await interaction.editReply({ content: 'Gone', attachments: [] });
    });
    const invocation = fake.invokeCommand({ name: 'i2v', attachment: { filename: 'cat.png', data: png } });
    await handled;
    expect(invocation.ack?.type).toBe(4);
    expect(invocation.history().map((version) => [version.content, version.attachments.length])).toEqual([
      ['Here', 1],
      ['Here, retitled', 1],
      ['Gone', 0],
    ]);
  });

  it('CDN links of the input expire after a day, so a bot must keep the bytes', async () => {
    const invocation = fake.invokeCommand({ name: 'i2v', attachment: { filename: 'cat.png', data: png } });
    const url = await new Promise<string>((resolve) =>
      client.once(Events.InteractionCreate, (interaction) => {
        if (interaction.isChatInputCommand()) resolve(interaction.options.getAttachment('image', true).url);
      }),
    );
    expect(invocation.id).toMatch(/^\d{17,19}$/);
    expect((await fetch(url)).status).toBe(200);
    fake.advanceClock(25 * 60 * 60_000);
    expect((await fetch(url)).status).toBe(404);
  });

  it('autocomplete answers come back to the test', async () => {
    client.once(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isAutocomplete()) return;
      const typed = interaction.options.getFocused();
      await interaction.respond(['fast', 'quality', 'maximum'].filter((name) => name.startsWith(typed)).map((name) => ({ name, value: name })));
    });
    const choices = await fake.autocomplete({ name: 'i2v', options: { preset: 'qu' }, focused: 'preset' });
    expect(choices).toEqual([{ name: 'quality', value: 'quality' }]);
  });

  it('a button click is an interaction of its own that can update the message it sits on', async () => {
    const channel = client.channels.cache.get(fake.channelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const message = await channel.send({
      content: 'Video ready',
      components: [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Secondary, custom_id: 'retry', label: 'Retry' }] }],
    });
    const handled = onNextInteraction(async (interaction) => {
      if (!interaction.isButton()) throw new Error('expected a button');
      await interaction.update({ content: `Retrying (${interaction.customId})`, components: [] });
    });
    const click = fake.clickButton({ messageId: message.id, customId: 'retry' });
    await handled;
    expect(click.ack?.type).toBe(7);
    expect(fake.message(message.id)).toMatchObject({ content: 'Retrying (retry)', components: [] });
  });
});
