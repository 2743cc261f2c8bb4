import { MessageFlags, type ButtonInteraction, type ModalSubmitInteraction } from 'discord.js';
import { fail, ok, UserError, type Result } from '../errors.ts';
import type { JobData, StoredResult } from '../queue/index.ts';
import type { JobOptions } from '../workflow/jobOptions.ts';
import type { Presets } from '../workflow/presetSchema.ts';
import { checkRequestedOptions } from '../workflow/checkRequestedOptions.ts';
import { placementFrom, resolveJobParams, withoutPlacement } from '../workflow/resolveJobParams.ts';
import { randomSeed } from './acceptI2v.ts';
import { pickPreset } from './checkI2vRequest.ts';
import type { BotContext } from './context.ts';
import { editForm, readForm, type FormValues } from './forms.ts';
import { checkMemberLimits, startCooldown } from './memberLimits.ts';
import { isAdminInteraction } from './permissions.ts';
import { checkPromptTerms } from './memberPolicy.ts';
import { claimSubmit, postStatusAndEnqueue, requireStoredFile } from './postStatusJob.ts';
import { requesterFor, resultForMember } from './resultAccess.ts';

/**
 * ✏️ Edit: a modal filled with what made the video; its submit makes a new video from
 * the same stored image with what the member changed. Values are checked like /i2v's
 * options (the preset's ranges), and a refusal says what to type instead.
 */

function editable(record: StoredResult): void {
  if (record.data.kind === 'upscale') throw new UserError('edit_upscale', 'An upscale has nothing to edit: use ✏️ under the original video.');
  if (record.data.extend) throw new UserError('edit_extension', 'An extended clip is made of several prompts: use ⏩ again to go on, or ✏️ under the first video to change how it starts.');
}

export async function showEditForm(interaction: ButtonInteraction, bot: BotContext, jobId: string): Promise<void> {
  const record = await resultForMember(interaction, bot, jobId);
  editable(record);
  await requireStoredFile(record.data.input.path, 'make it again from the same image');
  await interaction.showModal(editForm(jobId, { ...record.data.options, seed: record.result.seed }, bot.presets));
}

const WHOLE = /^\d{1,16}$/;

/** Pure: the form's text as options, or what is wrong with it in a member's words. */
export function optionsFromEditForm(values: FormValues, previous: JobOptions, presets: Presets, newSeed: () => number): Result<JobOptions> {
  const preset = pickPreset(presets, values.preset || previous.preset);
  if (!preset.ok) return preset;
  const framesText = values.frames ?? '';
  if (framesText !== '' && !WHOLE.test(framesText)) {
    const { min, max } = preset.value.ranges.frames;
    return fail('frames_not_a_number', `“${framesText}” is not a number of frames. Type a whole number between ${min} and ${max} (4k+1, e.g. ${preset.value.defaults.frames}), or leave it empty for the default.`);
  }
  const seedText = values.seed ?? '';
  if (seedText !== '' && (!WHOLE.test(seedText) || Number(seedText) > Number.MAX_SAFE_INTEGER)) {
    return fail('seed_not_a_number', `“${seedText}” is not a seed. Type a whole number (0 or more), or leave it empty for a new random seed.`);
  }
  const samePreset = preset.value.name === previous.preset;
  return ok({
    ...previous,
    prompt: values.prompt ?? previous.prompt,
    negative: values.negative ? values.negative : undefined,
    preset: preset.value.name,
    frames: framesText === '' ? undefined : Number(framesText),
    seed: seedText === '' ? newSeed() : Number(seedText),
    // Steps, CFG, resolution and fps belong to a preset: a member switching presets gets the new preset's.
    steps: samePreset ? previous.steps : undefined,
    cfg: samePreset ? previous.cfg : undefined,
    resolution: samePreset ? previous.resolution : undefined,
    fps: samePreset ? previous.fps : undefined,
  });
}

export async function submitEdit(interaction: ModalSubmitInteraction, bot: BotContext, jobId: string): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const record = await resultForMember(interaction, bot, jobId);
  editable(record);
  const values = readForm(interaction);
  const options = optionsFromEditForm(values, record.data.options, bot.presets, randomSeed);
  if (!options.ok) throw options.error;
  // The stored job's own bounds (the same checks /i2v's options get), then the preset's ranges below.
  const bounded = checkRequestedOptions(options.value);
  if (!bounded.ok) throw bounded.error;
  const terms = checkPromptTerms([options.value.prompt, options.value.negative], bot.config.BLOCKED_TERMS);
  if (!terms.ok) throw terms.error;
  const preset = bot.presets[options.value.preset]!;
  const params = resolveJobParams(preset, options.value, record.data.input, placementFrom(bot.config));
  if (!params.ok) throw params.error;
  await requireStoredFile(record.data.input.path, 'make it again from the same image');
  const admin = isAdminInteraction(interaction, bot.config);
  const limits = await checkMemberLimits(bot.queue, interaction.user.id, admin, { maxWaiting: bot.config.MAX_WAITING_PER_USER, cooldownSeconds: bot.config.USER_COOLDOWN_SECONDS });
  if (!limits.ok) throw limits.error;
  // The values as typed (not the random seed drawn for an empty field) identify a double submit.
  const claim = await claimSubmit(bot, ['edit', jobId, interaction.user.id, JSON.stringify(values)]);
  if (!claim.first) {
    await interaction.editReply({ content: 'That edit is already on its way (you sent the form twice); one video is coming.' });
    return;
  }
  const { discord: _discord, extend: _extend, ...rest } = record.data;
  const data: JobData = { ...rest, options: options.value, params: withoutPlacement(params.value), requester: requesterFor(interaction, record), parentJobId: jobId, createdAt: bot.now() };
  const target = record.data.discord;
  const place = { channelId: target?.channelId ?? interaction.channelId ?? '', guildId: interaction.guildId ?? undefined, replyToMessageId: target?.messageId ?? interaction.message?.id ?? '' };
  const posted = await postStatusAndEnqueue(bot, data, place).catch(async (error: unknown) => {
    await claim.release();
    throw error;
  });
  await startCooldown(bot.queue.redis, bot.queue.prefix, interaction.user.id, bot.config.USER_COOLDOWN_SECONDS);
  bot.logger.info({ jobId: posted.jobId, parentJobId: jobId, userId: interaction.user.id, messageId: posted.messageId }, 'edited result queued');
  await interaction.editReply({ content: `✏️ Queued with your changes: the new video will appear [here](${posted.link}).` });
}
