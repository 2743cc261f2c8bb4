import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import {
  ApplicationCommandType,
  ButtonStyle,
  ComponentType,
  Events,
  MessageFlags,
  TextInputStyle,
  type Client,
  type APIModalInteractionResponseCallbackData,
  type Interaction,
  type TextChannel,
} from 'discord.js';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.ts';
import { connectTestClient } from '../support/fake-discord/test-client.ts';

/** Message commands, buttons and modals through the fake, read by the real discord.js. */

describe('fake Discord: message commands, buttons and modals', () => {
  let fake: FakeDiscord;
  let client: Client<true>;

  beforeEach(async () => {
    fake = await startFakeDiscord();
    client = await connectTestClient(fake);
    await client.guilds.cache.get(fake.guildId)!.commands.set([{ type: ApplicationCommandType.Message, name: 'Animate' }]);
  });
  afterEach(async () => {
    await client.destroy();
    await fake.close();
  });

  function onNextInteraction<T>(handler: (interaction: Interaction) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      client.once(Events.InteractionCreate, (interaction) => handler(interaction).then(resolve, reject));
    });
  }

  const form: APIModalInteractionResponseCallbackData = {
    custom_id: 'form:1',
    title: 'Animate this image',
    components: [
      { type: ComponentType.Label, label: 'Prompt', component: { type: ComponentType.TextInput, custom_id: 'prompt', style: TextInputStyle.Paragraph, required: false, value: 'prefilled' } },
      {
        type: ComponentType.Label,
        label: 'Preset',
        component: { type: ComponentType.StringSelect, custom_id: 'preset', options: [{ label: 'Fast', value: 'fast', default: true }, { label: 'Quality', value: 'quality' }] },
      },
    ],
  };

  it('Apps → Animate arrives with the target message resolved; the modal’s submit carries what was typed', async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#345' } }).png().toBuffer();
    const source = fake.postMessage({ content: 'my cat', attachments: [{ filename: 'cat.png', data: png }] });
    const target = onNextInteraction(async (interaction) => {
      if (!interaction.isMessageContextMenuCommand()) throw new Error('expected a message command');
      await interaction.showModal(form);
      return interaction.targetMessage;
    });
    const command = fake.invokeMessageCommand({ name: 'Animate', messageId: source.id });
    const message = await target;
    expect(message.id).toBe(source.id);
    expect(message.content).toBe('my cat');
    expect(message.attachments.first()?.width).toBe(64);
    expect((await command.acked()).type).toBe(9);

    const submitted = onNextInteraction(async (interaction) => {
      if (!interaction.isModalSubmit()) throw new Error('expected a modal submit');
      await interaction.reply({ content: 'ok', flags: MessageFlags.Ephemeral });
      return { id: interaction.customId, prompt: interaction.fields.getTextInputValue('prompt'), preset: interaction.fields.getStringSelectValues('preset') };
    });
    fake.submitModal(command, { preset: 'quality' });
    expect(await submitted).toEqual({ id: 'form:1', prompt: 'prefilled', preset: ['quality'] });
  });

  it('a modal submitted from a button carries that message, and the client refuses fields the modal does not have', async () => {
    const channel = client.channels.cache.get(fake.channelId) as TextChannel;
    const posted = await channel.send({
      content: 'result',
      components: [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Secondary, custom_id: 'edit:1', label: 'Edit' }] }],
    });
    const opened = onNextInteraction(async (interaction) => {
      if (!interaction.isButton()) throw new Error('expected a button');
      await interaction.showModal(form);
    });
    const click = fake.clickButton({ messageId: posted.id, customId: 'edit:1' });
    await opened;
    expect(() => fake.submitModal(click, { negative: 'x' })).toThrow(/has no field "negative"/);
    expect(() => fake.submitModal(click, { preset: 'maximum' })).toThrow(/not an option/);
    const submitted = onNextInteraction(async (interaction) => {
      if (!interaction.isModalSubmit()) throw new Error('expected a modal submit');
      await interaction.deferUpdate();
      return interaction.message?.id;
    });
    const submit = fake.submitModal(click, { prompt: 'changed' });
    expect(await submitted).toBe(posted.id);
    expect((await submit.acked()).type).toBe(6);
  });

  it('refuses what Discord refuses: a long modal title, a long custom id and a message command with a description', async () => {
    const source = fake.postMessage({ content: 'text' });
    const results = onNextInteraction(async (interaction) => {
      if (!interaction.isMessageContextMenuCommand()) throw new Error('expected a message command');
      return interaction.showModal({ ...form, title: 'x'.repeat(46) }).then(() => 'shown', (error: { code?: number }) => error.code);
    });
    fake.invokeMessageCommand({ name: 'Animate', messageId: source.id });
    expect(await results).toBe(50035);

    const channel = client.channels.cache.get(fake.channelId) as TextChannel;
    await expect(
      channel.send({ content: 'x', components: [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Primary, custom_id: 'y'.repeat(101), label: 'Go' }] }] }),
    ).rejects.toMatchObject({ code: 50035 });

    await expect(client.guilds.cache.get(fake.guildId)!.commands.set([{ type: ApplicationCommandType.Message, name: 'Animate', description: 'no' } as never])).rejects.toMatchObject({ code: 50035 });
  });
});
