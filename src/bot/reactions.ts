import { Routes, type MessageReaction, type PartialMessageReaction, type PartialUser, type User } from 'discord.js';
import { botKeys, enqueueJob, createJobId, findJobByMessage, getJob, type JobData, type QueueJob } from '../queue/index.ts';
import { isFinal } from '../status/messageMarkers.ts';
import type { BotContext } from './context.ts';
import { randomSeed } from './acceptI2v.ts';
import { cancelJob } from './jobActions.ts';
import { checkMemberLimits } from './memberLimits.ts';
import { isAdmin } from './permissions.ts';
import { REACTIONS, renderWaiting } from '../status/statusMessage.ts';

/**
 * 🔁 again with a new seed, ⬆️ upscale, ❌ cancel or delete — on any status message,
 * including ones from before a restart: the job is found in Redis by the message id,
 * so a partial reaction needs no fetch. Only the member who asked and admins may act.
 */

const HANDLED = new Set<string>(Object.values(REACTIONS));
/** Seconds a tap is remembered, so a double tap does one thing. */
const DEDUPE_SECONDS = 15;

export type ReactionFacts = { emoji: string; channelId: string; messageId: string; guildId: string | undefined; userId: string; roleIds: string[]; permissions: bigint | undefined };

export async function onReactionAdd(reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser, bot: BotContext, botUserId: string | undefined): Promise<void> {
  const emoji = reaction.emoji.name ?? '';
  if (user.id === botUserId || !HANDLED.has(emoji)) return;
  const message = reaction.message;
  const member = message.guild?.members.resolve(user.id) ?? null;
  await handleReaction(bot, {
    emoji,
    channelId: message.channelId,
    messageId: message.id,
    guildId: message.guildId ?? undefined,
    userId: user.id,
    roleIds: member ? [...member.roles.cache.keys()] : [],
    permissions: member?.permissions.bitfield,
  });
}

export async function handleReaction(bot: BotContext, facts: ReactionFacts): Promise<void> {
  const { emoji, channelId, messageId, userId } = facts;
  const log = bot.logger.child({ messageId, userId, emoji });
  const found = await findJobByMessage(bot.queue, messageId);
  if (!found) return;
  const job = await settled(bot, found, messageId);
  const admin = isAdmin({ userId, roleIds: facts.roleIds, permissions: facts.permissions }, { adminRoleIds: bot.config.ADMIN_ROLE_IDS, adminUserIds: bot.config.ADMIN_USER_IDS });
  const removeTheirs = () =>
    bot.rest.delete(Routes.channelMessageUserReaction(channelId, messageId, emoji, userId)).catch((error: unknown) => log.info({ err: error }, 'could not remove a reaction'));
  if (userId !== job.data.requester.userId && !admin) {
    await removeTheirs();
    return;
  }
  const redis = bot.queue.redis;
  const keys = botKeys(bot.queue.prefix);
  if ((await redis.set(keys.memberReaction(messageId, emoji, userId), '1', 'EX', DEDUPE_SECONDS, 'NX')) !== 'OK') return;
  if (emoji !== REACTIONS.cancel && (await redis.set(keys.reaction(messageId, emoji), '1', 'EX', DEDUPE_SECONDS, 'NX')) !== 'OK') return;

  if (emoji === REACTIONS.cancel) {
    if (job.state === 'waiting' || job.state === 'delayed' || job.state === 'active') {
      log.info({ jobId: job.id, outcome: await cancelJob(bot, job.id, userId) }, 'cancelled by reaction');
    } else {
      await bot.rest.delete(Routes.channelMessage(channelId, messageId));
      log.info({ jobId: job.id }, 'result deleted by reaction');
    }
    return;
  }
  const limits = await checkMemberLimits(bot.queue, userId, admin, { maxWaiting: bot.config.MAX_WAITING_PER_USER, cooldownSeconds: bot.config.USER_COOLDOWN_SECONDS });
  const derived = emoji === REACTIONS.again ? again(job) : upscale(job);
  if (!limits.ok || !derived) {
    log.info({ jobId: job.id, state: job.state, reason: limits.ok ? 'not applicable' : limits.error.code }, 'reaction refused');
    await removeTheirs();
    return;
  }
  const requester = userId === job.data.requester.userId ? job.data.requester : { userId, name: userId };
  await postDerivedJob(bot, { ...derived, requester, createdAt: bot.now() }, facts, job.id);
}

/**
 * The worker shows the video just before BullMQ records the job as completed; a member
 * reacting in that moment means the finished result, so wait for the record briefly.
 */
async function settled(bot: BotContext, job: QueueJob, messageId: string): Promise<QueueJob> {
  if (job.state !== 'active' || !(await isFinal(bot.queue.redis, bot.queue.prefix, messageId))) return job;
  for (let tries = 0; tries < 25; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = await getJob(bot.queue, job.id);
    if (now && now.state !== 'active') return now;
  }
  return job;
}

/** 🔁: the same options and stored image, a new seed. */
function again(job: QueueJob): JobData {
  const { discord: _discord, ...rest } = job.data;
  const seed = randomSeed();
  // Only the seed differs from the parent, so its resolved parameters stay true but for the seed.
  return { ...rest, options: { ...job.data.options, seed }, ...(rest.params ? { params: { ...rest.params, seed } } : {}), parentJobId: job.id };
}

/** ⬆️: only a delivered video can be upscaled. */
function upscale(job: QueueJob): JobData | undefined {
  if (job.state !== 'completed' || !job.result || job.result.fallbackFramePath || job.data.kind === 'upscale') return undefined;
  const { discord: _discord, ...rest } = job.data;
  return { ...rest, kind: 'upscale', source: { jobId: job.id, videoPath: job.result.videoPath }, parentJobId: job.id };
}

/** A new status message replying to the original, then the job that will edit it. */
async function postDerivedJob(bot: BotContext, draft: JobData, facts: ReactionFacts, parentJobId: string): Promise<void> {
  const jobId = createJobId();
  const place = await bot.waiting.estimateNext(draft);
  const view = renderWaiting({ jobId, data: draft, ...place });
  const posted = (await bot.rest.post(Routes.channelMessages(facts.channelId), {
    body: {
      content: view.content,
      allowed_mentions: { parse: [] },
      message_reference: { message_id: facts.messageId, fail_if_not_exists: false },
    },
  })) as { id: string };
  const discord = { ...(facts.guildId ? { guildId: facts.guildId } : {}), channelId: facts.channelId, messageId: posted.id, replyToMessageId: facts.messageId };
  const data: JobData = { ...draft, discord };
  bot.waiting.noteShown(posted.id, place);
  await enqueueJob(bot.queue, data, { jobId });
  bot.logger.info({ jobId, parentJobId, kind: data.kind, messageId: posted.id }, 'derived job from a reaction');
  bot.waiting.poke();
}
