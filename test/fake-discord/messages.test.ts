import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Events, GatewayIntentBits, MessageFlags, PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction, type Client } from 'discord.js';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.ts';
import { connectTestClient } from '../support/fake-discord/test-client.ts';

const queue = new SlashCommandBuilder()
  .setName('queue')
  .setDescription('Admin: steer the queue')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .addSubcommand((sub) => sub.setName('pause').setDescription('Stop taking jobs'))
  .addSubcommand((sub) =>
    sub
      .setName('remove')
      .setDescription('Remove a job')
      .addStringOption((option) => option.setName('job').setDescription('Job id').setRequired(true)),
  );

describe('fake Discord: message events, subcommands and channel routes', () => {
  let fake: FakeDiscord;
  let client: Client<true>;

  beforeEach(async () => {
    fake = await startFakeDiscord();
    client = await connectTestClient(fake, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions] });
    await client.guilds.cache.get(fake.guildId)!.commands.set([queue.toJSON()]);
  });
  afterEach(async () => {
    await client.destroy();
    await fake.close();
  });

  function nextCommand<T>(handler: (interaction: ChatInputCommandInteraction) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      client.once(Events.InteractionCreate, (interaction) => {
        if (interaction.isChatInputCommand()) handler(interaction).then(resolve, reject);
      });
    });
  }

  it('with GuildMessages, the deferral shows up as a loading MESSAGE_CREATE and edits as MESSAGE_UPDATE; ephemeral ones never', async () => {
    // discord.js patches the cached Message in place on update, so keep what the create said.
    const created: Array<{ loading: boolean; interactionId: string | undefined }> = [];
    const updated: string[] = [];
    client.on(Events.MessageCreate, (message) => void created.push({ loading: message.flags.has(MessageFlags.Loading), interactionId: message.interactionMetadata?.id }));
    client.on(Events.MessageUpdate, (_old, message) => void updated.push(message.content ?? ''));
    const done = nextCommand(async (interaction) => {
      await interaction.deferReply();
      await interaction.editReply('Paused');
      await interaction.followUp({ content: 'only you see this', flags: MessageFlags.Ephemeral });
    });
    const invocation = fake.invokeCommand({ name: 'queue', subcommand: 'pause' });
    await done;
    await fake.waitFor(() => updated.length === 1);
    expect(created).toHaveLength(1);
    expect(created[0]).toEqual({ loading: true, interactionId: invocation.id });
    expect(updated).toEqual(['Paused']);
  });

  it('subcommands and options arrive typed, and member permissions follow the roles a test gives', async () => {
    const adminRole = fake.createRole({ name: 'admins', permissions: PermissionFlagsBits.ManageGuild });
    const seen = nextCommand(async (interaction) => {
      await interaction.reply({ content: 'ok', flags: MessageFlags.Ephemeral });
      return {
        subcommand: interaction.options.getSubcommand(),
        job: interaction.options.getString('job'),
        canManage: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild),
        user: interaction.user.username,
      };
    });
    fake.invokeCommand({ name: 'queue', subcommand: 'remove', options: { job: '42' }, roles: [adminRole], user: { username: 'bob' } });
    expect(await seen).toEqual({ subcommand: 'remove', job: '42', canManage: true, user: 'bob' });

    const plain = nextCommand(async (interaction) => {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      return interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild);
    });
    fake.invokeCommand({ name: 'queue', subcommand: 'pause' });
    expect(await plain).toBe(false);
    expect(() => fake.invokeCommand({ name: 'queue', subcommand: 'remove', options: { jobb: 'x' } })).toThrow(/no option "jobb"/);
  });

  it('a followup right after a deferral fills the loading message, as Discord still does', async () => {
    const done = nextCommand(async (interaction) => {
      await interaction.deferReply();
      await interaction.followUp('Queued');
      await interaction.followUp('Second');
    });
    const invocation = fake.invokeCommand({ name: 'queue', subcommand: 'pause' });
    await done;
    expect(invocation.response()?.content).toBe('Queued');
    expect(invocation.followups().map((message) => message.content)).toEqual(['Second']);
  });

  it('channel routes: replies carry a message_reference, lists come newest first, deletes are marked', async () => {
    const channel = client.channels.cache.get(fake.channelId);
    if (!channel?.isTextBased() || !channel.isSendable()) throw new Error('channel not sendable');
    const first = await channel.send('first');
    const reply = await first.reply('second');
    expect(reply.reference?.messageId).toBe(first.id);
    expect(fake.message(reply.id)).toMatchObject({ type: 19, message_reference: { message_id: first.id } });
    const listed = await channel.messages.fetch({ limit: 10, cache: false });
    expect([...listed.values()].map((message) => message.content)).toEqual(['second', 'first']);
    await first.delete();
    expect(fake.messages().map((message) => [message.content, message.deleted])).toEqual([
      ['first', true],
      ['second', false],
    ]);
    await expect(channel.messages.fetch({ message: first.id, force: true })).rejects.toMatchObject({ code: 10008 });
    await expect(channel.send({})).rejects.toThrow();
  });

  it('withResponse on a reply returns the created message', async () => {
    const done = nextCommand(async (interaction) => {
      const response = await interaction.reply({ content: 'hello', withResponse: true });
      return response.resource?.message?.content;
    });
    fake.invokeCommand({ name: 'queue', subcommand: 'pause' });
    expect(await done).toBe('hello');
  });
});
