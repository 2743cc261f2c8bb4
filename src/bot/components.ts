import { MessageFlags, type ButtonInteraction, type ModalSubmitInteraction } from 'discord.js';
import { placementFrom, resolveJobParams } from '../workflow/resolveJobParams.ts';
import { submitAnimate } from './animate.ts';
import type { BotContext } from './context.ts';
import { parseCustomId } from '../status/customIds.ts';
import { showEditForm, submitEdit } from './editResult.ts';
import { showExtendForm, submitExtend } from './extendResult.ts';
import { resultForMember } from './resultAccess.ts';
import { renderInfo } from './resultInfo.ts';

/**
 * Buttons and modal submits, by their custom id (customIds.ts). Anything we did not
 * write (an old format, another app's id) is ignored and logged.
 */
export async function routeComponent(interaction: ButtonInteraction | ModalSubmitInteraction, bot: BotContext): Promise<void> {
  const parsed = parseCustomId(interaction.customId);
  if (!parsed) {
    bot.logger.warn({ customId: interaction.customId, interactionId: interaction.id }, 'a component we did not make');
    return;
  }
  if (parsed.kind === 'button' && interaction.isButton()) {
    if (parsed.button === 'edit') return showEditForm(interaction, bot, parsed.jobId);
    if (parsed.button === 'extend') return showExtendForm(interaction, bot, parsed.jobId);
    return showInfo(interaction, bot, parsed.jobId);
  }
  if (parsed.kind === 'form' && interaction.isModalSubmit()) {
    if (parsed.form === 'edit-form') return submitEdit(interaction, bot, parsed.ref);
    if (parsed.form === 'extend-form') return submitExtend(interaction, bot, parsed.ref);
    return submitAnimate(interaction, bot, parsed.ref);
  }
}

/** 📋: private, nothing changes. */
async function showInfo(interaction: ButtonInteraction, bot: BotContext, jobId: string): Promise<void> {
  const record = await resultForMember(interaction, bot, jobId);
  const { options, input } = record.data;
  const preset = bot.presets[options.preset];
  // The parameters resolved when the job was accepted; jobs stored before that are resolved again here.
  const resolved =
    record.data.kind === 'i2v' && !record.data.params && preset
      ? resolveJobParams(preset, { ...options, seed: record.result.seed }, input, placementFrom(bot.config))
      : undefined;
  const view = renderInfo(record, record.data.params ?? (resolved?.ok ? resolved.value : undefined));
  await interaction.reply({
    content: view.content,
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
    files: view.commandFile ? [{ attachment: Buffer.from(`${view.commandFile}\n`), name: 'i2v-command.txt' }] : [],
  });
}
