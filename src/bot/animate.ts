import { MessageFlags, type Message, type MessageContextMenuCommandInteraction, type ModalSubmitInteraction } from 'discord.js';
import { rm } from 'node:fs/promises';
import { z } from 'zod';
import { UserError } from '../errors.ts';
import { downloadAttachment } from '../media/downloadAttachment.ts';
import { isHostAllowed } from '../media/attachmentHosts.ts';
import { normalizeImage } from '../media/normalizeImage.ts';
import { saveJobImage } from '../media/saveJobImage.ts';
import { createJobId, type JobData } from '../queue/index.ts';
import { placementFrom, resolveJobParams, withoutPlacement } from '../workflow/resolveJobParams.ts';
import { DEFAULT_SIZE_LIMIT, randomSeed } from './acceptI2v.ts';
import { checkI2vRequest, type AttachmentFacts } from './checkI2vRequest.ts';
import type { BotContext } from './context.ts';
import { animateForm, readForm } from './forms.ts';
import { checkMemberLimits, startCooldown } from './memberLimits.ts';
import { isAdminInteraction } from './permissions.ts';
import { checkChannel, checkPromptTerms } from './memberPolicy.ts';
import { claimSubmit, postStatusAndEnqueue } from './postStatusJob.ts';

/**
 * Apps → Animate on a message: its image (an attachment, or an embedded image from an
 * allowed host) becomes the first frame. The command answers with a modal at once; the
 * image and where it was are kept in Redis for the modal's lifetime under a short ref
 * (the modal's custom id carries only that). The submit behaves like /i2v, except that
 * the status message is posted in the channel as a reply to the source message.
 */

/** A modal can be submitted for as long as its interaction token lives. */
const FORM_SECONDS = 15 * 60;

const animateSourceSchema = z.object({
  url: z.string(),
  filename: z.string(),
  contentType: z.string().nullable(),
  size: z.number().int().nonnegative(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  channelId: z.string(),
  guildId: z.string().optional(),
  messageId: z.string(),
});
type AnimateSource = z.infer<typeof animateSourceSchema>;

type FoundImage = Pick<AnimateSource, 'url' | 'filename' | 'contentType' | 'size' | 'width' | 'height'>;

const IMAGE_NAME = /\.(png|jpe?g|webp|gif|avif|jfif)$/i;

/** Pure-ish: the first usable image of a message — an image attachment, else an embed's image on an allowed host. */
export function findMessageImage(message: Pick<Message, 'attachments' | 'embeds'>, allowedHosts: readonly string[]): FoundImage | undefined {
  for (const attachment of message.attachments.values()) {
    const type = attachment.contentType?.split(';')[0]?.trim().toLowerCase();
    if (type ? type.startsWith('image/') : IMAGE_NAME.test(attachment.name)) {
      return { url: attachment.url, filename: attachment.name, contentType: type ?? 'image/unknown', size: attachment.size, width: attachment.width, height: attachment.height };
    }
  }
  for (const embed of message.embeds) {
    for (const candidate of [embed.image, embed.thumbnail]) {
      if (!candidate?.url) continue;
      let url: URL;
      try {
        url = new URL(candidate.url);
      } catch {
        continue;
      }
      if (!isHostAllowed(url, allowedHosts)) continue;
      const filename = url.pathname.split('/').pop() || 'image';
      // An embed's size is not known before downloading; the download enforces the byte cap.
      return { url: url.href, filename, contentType: 'image/unknown', size: 0, width: candidate.width ?? null, height: candidate.height ?? null };
    }
  }
  return undefined;
}

export async function onAnimateCommand(interaction: MessageContextMenuCommandInteraction, bot: BotContext): Promise<void> {
  const channel = checkChannel(interaction.channelId, bot.config.ALLOWED_CHANNEL_IDS);
  if (!channel.ok) throw channel.error;
  const message = interaction.targetMessage;
  const image = findMessageImage(message, bot.config.ATTACHMENT_HOSTS);
  if (!image) {
    throw new UserError(
      'animate_no_image',
      'That message has no picture I can use. Animate works on a message with an attached image (PNG, JPEG or WebP) or an embedded image from Discord; or use `/i2v` and attach one.',
    );
  }
  // The instant checks of /i2v (type, size, pixels) before the member types a prompt.
  const checked = checkI2vRequest(facts(image), {}, bot.presets, { maxInputBytes: bot.config.MAX_INPUT_BYTES, maxInputPixels: bot.config.MAX_INPUT_PIXELS, loraKnown: () => undefined });
  if (!checked.ok) throw checked.error;
  const ref = createJobId();
  const source: AnimateSource = { ...image, channelId: message.channelId, messageId: message.id, ...(interaction.guildId ? { guildId: interaction.guildId } : {}) };
  await bot.queue.redis.set(bot.queue.keys.animateForm(ref), JSON.stringify(source), 'EX', FORM_SECONDS);
  await interaction.showModal(animateForm(ref, bot.presets));
}

const facts = (image: FoundImage): AttachmentFacts => ({ contentType: image.contentType, size: image.size, width: image.width, height: image.height, filename: image.filename });

async function loadSource(bot: BotContext, ref: string): Promise<AnimateSource> {
  const raw = await bot.queue.redis.get(bot.queue.keys.animateForm(ref));
  const parsed = raw === null ? undefined : animateSourceSchema.safeParse(JSON.parse(raw));
  if (!parsed?.success) throw new UserError('animate_form_expired', 'This form is too old to send. Use Apps → Animate on the message again.');
  return parsed.data;
}

export async function submitAnimate(interaction: ModalSubmitInteraction, bot: BotContext, ref: string): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const { config } = bot;
  const source = await loadSource(bot, ref);
  const values = readForm(interaction);
  const prompt = values.prompt ?? '';
  const terms = checkPromptTerms([prompt], config.BLOCKED_TERMS);
  if (!terms.ok) throw terms.error;
  const checked = checkI2vRequest(facts(source), { prompt, preset: values.preset || undefined }, bot.presets, {
    maxInputBytes: config.MAX_INPUT_BYTES,
    maxInputPixels: config.MAX_INPUT_PIXELS,
    loraKnown: () => undefined,
  });
  if (!checked.ok) throw checked.error;
  const admin = isAdminInteraction(interaction, config);
  const limits = await checkMemberLimits(bot.queue, interaction.user.id, admin, { maxWaiting: config.MAX_WAITING_PER_USER, cooldownSeconds: config.USER_COOLDOWN_SECONDS });
  if (!limits.ok) throw limits.error;
  const claim = await claimSubmit(bot, ['animate', ref, interaction.user.id, JSON.stringify(values)]);
  if (!claim.first) {
    await interaction.editReply({ content: 'That one is already on its way (you sent the form twice); one video is coming.' });
    return;
  }

  const jobId = createJobId();
  let inputPath: string | undefined;
  try {
    const bytes = await downloadAttachment(source.url, { allowedHosts: config.ATTACHMENT_HOSTS, maxBytes: config.MAX_INPUT_BYTES, timeoutMs: 30_000 });
    const normalized = await normalizeImage(bytes, { maxPixels: config.MAX_INPUT_PIXELS });
    const options = { ...checked.value.options, seed: randomSeed() };
    const size = { width: normalized.width, height: normalized.height };
    const params = resolveJobParams(checked.value.preset, options, size, placementFrom(config));
    if (!params.ok) throw params.error;
    inputPath = await saveJobImage(config.DATA_DIR, jobId, normalized.png);
    const data: JobData = {
      v: 1,
      kind: 'i2v',
      options,
      params: withoutPlacement(params.value),
      input: { path: inputPath, ...size },
      sizeLimit: interaction.attachmentSizeLimit || DEFAULT_SIZE_LIMIT,
      requester: { userId: interaction.user.id, name: interaction.user.globalName ?? interaction.user.username },
      createdAt: bot.now(),
    };
    const posted = await postStatusAndEnqueue(bot, data, { channelId: source.channelId, guildId: source.guildId, replyToMessageId: source.messageId }, jobId);
    bot.logger.info({ jobId, userId: interaction.user.id, sourceMessageId: source.messageId, messageId: posted.messageId }, 'animate accepted');
    await startCooldown(bot.queue.redis, bot.queue.prefix, interaction.user.id, config.USER_COOLDOWN_SECONDS);
    await interaction.editReply({ content: `🎬 Animating: the video will appear [here](${posted.link}).` });
  } catch (error) {
    await claim.release();
    if (inputPath) await rm(inputPath, { force: true });
    throw error;
  }
}
