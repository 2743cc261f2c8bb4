import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageFlags, type ButtonInteraction, type ModalSubmitInteraction } from 'discord.js';
import { UserError } from '../errors.ts';
import { extractLastFrame } from '../media/joinClips.ts';
import { normalizeImage } from '../media/normalizeImage.ts';
import { saveJobImage } from '../media/saveJobImage.ts';
import { createJobId, type JobData, type StoredResult } from '../queue/index.ts';
import { placementFrom, resolveJobParams, withoutPlacement } from '../workflow/resolveJobParams.ts';
import { DEFAULT_SIZE_LIMIT, randomSeed } from './acceptI2v.ts';
import type { BotContext } from './context.ts';
import { extendForm, readForm } from './forms.ts';
import { checkMemberLimits, startCooldown } from './memberLimits.ts';
import { isAdminInteraction } from './permissions.ts';
import { checkPromptTerms } from './memberPolicy.ts';
import { claimSubmit, postStatusAndEnqueue, requireStoredFile } from './postStatusJob.ts';
import { requesterFor, resultForMember } from './resultAccess.ts';

/**
 * ⏩ Extend: a modal with the prompt (kept or changed); its submit makes a new segment
 * from the clip's last frame, and the worker posts the joined clip. Extensions of one
 * clip are capped (MAX_EXTENSIONS), counted along the chain.
 */

/** How many extensions deep a result already is (0 for a first video). */
export const extensionDepth = (record: StoredResult) => record.data.extend?.depth ?? 0;

function extendable(record: StoredResult, maxExtensions: number): void {
  if (record.data.kind === 'upscale') throw new UserError('extend_upscale', 'An upscale cannot be extended: use ⏩ under the original video.');
  if (record.result.fallbackFramePath) {
    throw new UserError('extend_too_large', 'This video is already too large to post here, so a longer one would be too; make a shorter one with ✏️ (fewer frames) and extend that.');
  }
  if (extensionDepth(record) >= maxExtensions) {
    throw new UserError(
      'extend_cap',
      maxExtensions === 0
        ? 'Extending videos is turned off on this server.'
        : `This clip has been extended ${extensionDepth(record)} times, the most this server allows. Start a new one with \`/i2v\` (its last frame makes a good start image).`,
    );
  }
}

export async function showExtendForm(interaction: ButtonInteraction, bot: BotContext, jobId: string): Promise<void> {
  const record = await resultForMember(interaction, bot, jobId);
  extendable(record, bot.config.MAX_EXTENSIONS);
  await requireStoredFile(record.result.videoPath, 'extend it');
  await interaction.showModal(extendForm(jobId, record.data.options.prompt));
}

export async function submitExtend(interaction: ModalSubmitInteraction, bot: BotContext, jobId: string): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const { config } = bot;
  const record = await resultForMember(interaction, bot, jobId);
  extendable(record, config.MAX_EXTENSIONS);
  const values = readForm(interaction);
  const prompt = values.prompt ?? record.data.options.prompt;
  const terms = checkPromptTerms([prompt], config.BLOCKED_TERMS);
  if (!terms.ok) throw terms.error;
  await requireStoredFile(record.result.videoPath, 'extend it');
  const admin = isAdminInteraction(interaction, config);
  const limits = await checkMemberLimits(bot.queue, interaction.user.id, admin, { maxWaiting: config.MAX_WAITING_PER_USER, cooldownSeconds: config.USER_COOLDOWN_SECONDS });
  if (!limits.ok) throw limits.error;
  const claim = await claimSubmit(bot, ['extend', jobId, interaction.user.id, prompt]);
  if (!claim.first) {
    await interaction.editReply({ content: 'That extension is already on its way (you sent the form twice); one clip is coming.' });
    return;
  }

  const newJobId = createJobId();
  const work = await mkdtemp(join(tmpdir(), 'oelala-extend-'));
  let inputPath: string | undefined;
  try {
    const frame = await extractLastFrame(record.result.videoPath, join(work, 'last.png'), { ffmpegPath: config.FFMPEG_PATH });
    const normalized = await normalizeImage(await readFile(frame), { maxPixels: config.MAX_INPUT_PIXELS });
    const options = { ...record.data.options, prompt, seed: randomSeed() };
    const size = { width: normalized.width, height: normalized.height };
    const preset = bot.presets[options.preset];
    if (!preset) throw new UserError('unknown_preset', `The preset \`${options.preset}\` of this video no longer exists; make a new one with \`/i2v\`.`);
    const params = resolveJobParams(preset, options, size, placementFrom(config));
    if (!params.ok) throw params.error;
    inputPath = await saveJobImage(config.DATA_DIR, newJobId, normalized.png);
    const { discord: _discord, ...rest } = record.data;
    const data: JobData = {
      ...rest,
      kind: 'i2v',
      options,
      params: withoutPlacement(params.value),
      input: { path: inputPath, ...size },
      sizeLimit: interaction.attachmentSizeLimit || record.data.sizeLimit || DEFAULT_SIZE_LIMIT,
      requester: requesterFor(interaction, record),
      extend: { jobId, videoPath: record.result.videoPath, frames: record.result.frames, depth: extensionDepth(record) + 1 },
      parentJobId: jobId,
      createdAt: bot.now(),
    };
    const target = record.data.discord;
    const place = { channelId: target?.channelId ?? interaction.channelId ?? '', guildId: interaction.guildId ?? undefined, replyToMessageId: target?.messageId ?? interaction.message?.id ?? '' };
    const posted = await postStatusAndEnqueue(bot, data, place, newJobId);
    bot.logger.info({ jobId: newJobId, parentJobId: jobId, depth: data.extend?.depth, messageId: posted.messageId }, 'extension queued');
    await startCooldown(bot.queue.redis, bot.queue.prefix, interaction.user.id, config.USER_COOLDOWN_SECONDS);
    await interaction.editReply({ content: `⏩ Extending: the longer clip will appear [here](${posted.link}).` });
  } catch (error) {
    await claim.release();
    if (inputPath) await rm(inputPath, { force: true });
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
