import { randomInt } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Attachment, ChatInputCommandInteraction } from 'discord.js';
import { createJobId, enqueueJob, type JobData } from '../queue/index.ts';
import { downloadAttachment } from '../media/downloadAttachment.ts';
import { normalizeImage } from '../media/normalizeImage.ts';
import { saveJobImage } from '../media/saveJobImage.ts';
import { placementFrom, resolveJobParams, withoutPlacement } from '../workflow/resolveJobParams.ts';
import type { BotContext } from './context.ts';
import type { CheckedI2vRequest } from './checkI2vRequest.ts';
import { startCooldown } from './memberLimits.ts';
import { renderWaiting } from '../status/statusMessage.ts';

/** Discord's default upload limit, when an interaction does not say. */
export const DEFAULT_SIZE_LIMIT = 10 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 30_000;

/** Seeds stay below 2^48 (randomInt's range) and so inside the schema's safe integers. */
export const randomSeed = () => randomInt(0, 2 ** 48 - 1);

/**
 * The part of /i2v after the public deferral: fetch and keep the image, check what needs
 * its size, show the waiting state (the one edit made with the interaction token, which
 * gives the message id), then enqueue with that message as the job's status message.
 * Any UserError thrown here is answered privately by the error boundary.
 */
export async function acceptI2v(interaction: ChatInputCommandInteraction, bot: BotContext, request: CheckedI2vRequest, image: Attachment): Promise<string> {
  const { config, queue } = bot;
  const jobId = createJobId();
  const log = bot.logger.child({ jobId, userId: interaction.user.id });
  const bytes = await downloadAttachment(image.url, {
    allowedHosts: config.ATTACHMENT_HOSTS,
    maxBytes: config.MAX_INPUT_BYTES,
    timeoutMs: DOWNLOAD_TIMEOUT_MS,
  });
  const normalized = await normalizeImage(bytes, { maxPixels: config.MAX_INPUT_PIXELS });
  const options = { ...request.options, seed: request.options.seed ?? randomSeed() };
  const size = { width: normalized.width, height: normalized.height };
  const params = resolveJobParams(request.preset, options, size, placementFrom(config));
  if (!params.ok) throw params.error;

  const inputPath = await saveJobImage(config.DATA_DIR, jobId, normalized.png);
  try {
    const draft: JobData = {
      v: 1,
      kind: 'i2v',
      options,
      params: withoutPlacement(params.value),
      input: { path: inputPath, ...size },
      sizeLimit: interaction.attachmentSizeLimit || DEFAULT_SIZE_LIMIT,
      requester: { userId: interaction.user.id, name: interaction.user.globalName ?? interaction.user.username },
      createdAt: bot.now(),
    };
    const place = await bot.waiting.estimateNext(draft);
    const view = renderWaiting({ jobId, data: draft, ...place });
    const message = await interaction.editReply({ content: view.content, allowedMentions: { parse: [] } });
    // The job is built once, complete with its status message; nothing mutates it afterwards.
    const data: JobData = { ...draft, discord: { ...(interaction.guildId ? { guildId: interaction.guildId } : {}), channelId: message.channelId, messageId: message.id } };
    bot.waiting.noteShown(message.id, place);
    bot.statusEditor.noteEdited({ channelId: message.channelId, messageId: message.id });
    await enqueueJob(queue, data, { jobId });
    log.info({ messageId: message.id, preset: options.preset, seed: options.seed }, 'accepted');
  } catch (error) {
    await rm(inputPath, { force: true });
    throw error;
  }
  await startCooldown(queue.redis, queue.prefix, interaction.user.id, config.USER_COOLDOWN_SECONDS);
  bot.waiting.poke();
  return jobId;
}
