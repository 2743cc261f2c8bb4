import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Client, GatewayIntentBits, SlashCommandBuilder } from 'discord.js';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.ts';
import { connectTestClient } from '../support/fake-discord/test-client.ts';

describe('fake Discord: logging in and registering commands', () => {
  let fake: FakeDiscord;
  let client: Client<true> | undefined;

  beforeEach(async () => {
    fake = await startFakeDiscord();
  });
  afterEach(async () => {
    await client?.destroy();
    client = undefined;
    await fake.close();
  });

  it('a discord.js client logs in and caches the guild, its text channel and its own member', async () => {
    client = await connectTestClient(fake);
    const guild = client.guilds.cache.get(fake.guildId);
    expect(guild?.name).toBe('Oelala Test Guild');
    expect(guild?.channels.cache.get(fake.channelId)?.isTextBased()).toBe(true);
    expect(guild?.members.me?.id).toBe(fake.botUserId);
    expect(client.application.id).toBe(fake.applicationId);
    expect(client.user.bot).toBe(true);
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toContain('GET /gateway/bot');
    expect(fake.gatewayEvents.map((event) => event.kind)).toEqual(['connect', 'identify']);
  });

  it('a wrong token is refused: login rejects and no session starts', async () => {
    const stranger = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiBase } });
    await expect(stranger.login('not-the-token')).rejects.toThrow(/token/i);
    await stranger.destroy();
    expect(fake.requests.at(-1)).toMatchObject({ path: '/gateway/bot', status: 401, code: 0, auth: 'invalid' });
  });

  it('guild commands are bulk-overwritten with ids, kept by name on the next overwrite, and readable', async () => {
    client = await connectTestClient(fake);
    const i2v = new SlashCommandBuilder()
      .setName('i2v')
      .setDescription('Turn an image into a short video')
      .addAttachmentOption((option) => option.setName('image').setDescription('The still image').setRequired(true))
      .addIntegerOption((option) => option.setName('seconds').setDescription('Length').setMinValue(1).setMaxValue(10));
    const guild = client.guilds.cache.get(fake.guildId)!;
    const first = await guild.commands.set([i2v.toJSON()]);
    const registered = fake.commands();
    expect(registered).toHaveLength(1);
    expect(registered[0]).toMatchObject({ name: 'i2v', type: 1, application_id: fake.applicationId, guild_id: fake.guildId });
    expect(first.first()?.id).toBe(registered[0]?.id);
    expect(registered[0]?.id).toMatch(/^\d{17,19}$/);

    const queue = new SlashCommandBuilder().setName('queue').setDescription('Admin: the queue').setDefaultMemberPermissions(32n);
    await guild.commands.set([i2v.toJSON(), queue.toJSON()]);
    expect(fake.commands().map((command) => command.name)).toEqual(['i2v', 'queue']);
    expect(fake.commands()[0]?.id).toBe(registered[0]?.id);
    expect(fake.commands()[1]?.['default_member_permissions']).toBe('32');
    expect((await guild.commands.fetch()).size).toBe(2);

    await client.application.commands.set([i2v.toJSON()]);
    expect(fake.commands('global').map((command) => command.name)).toEqual(['i2v']);
  });

  it('a command definition Discord would refuse is refused with Invalid Form Body', async () => {
    client = await connectTestClient(fake);
    const guild = client.guilds.cache.get(fake.guildId)!;
    await expect(guild.commands.set([{ name: 'I2V', description: 'x' }])).rejects.toMatchObject({ code: 50035, status: 400 });
  });
});
