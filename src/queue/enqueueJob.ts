import type { QueueContext } from './context.ts';
import { QUEUE_NAME } from './keys.ts';
import { jobDataSchema, type DiscordTarget, type JobData } from './schemas.ts';

/** How many of a member's jobs the per-user index keeps (for /jobs and limits). */
const USER_INDEX_SIZE = 200;

export type EnqueueOptions = {
  jobId: string;
  /** Override the context's retry policy for this job. */
  attempts?: number;
  backoffMs?: number;
};

/**
 * Put a job in the queue. The data is checked once more here (the queue is the edge
 * between processes); indexes are written first so a job is never findable in the
 * queue but missing from /jobs. Enqueueing the same id twice is a no-op.
 */
export async function enqueueJob(ctx: QueueContext, data: JobData, options: EnqueueOptions): Promise<string> {
  const parsed = jobDataSchema.parse(data);
  const { jobId } = options;
  const keep = { age: ctx.jobDefaults.keepFinishedSeconds };
  const index = ctx.redis.multi();
  const userKey = ctx.keys.user(parsed.requester.userId);
  index.zadd(userKey, parsed.createdAt, jobId);
  index.zremrangebyrank(userKey, 0, -USER_INDEX_SIZE - 1);
  index.expire(userKey, ctx.jobDefaults.keepFinishedSeconds);
  if (parsed.discord) index.hset(ctx.keys.messages, parsed.discord.messageId, jobId);
  await index.exec();
  await ctx.queue.add(QUEUE_NAME, parsed, {
    jobId,
    attempts: options.attempts ?? ctx.jobDefaults.attempts,
    backoff: { type: 'exponential', delay: options.backoffMs ?? ctx.jobDefaults.backoffMs },
    removeOnComplete: keep,
    removeOnFail: keep,
  });
  ctx.logger.info({ jobId, userId: parsed.requester.userId, kind: parsed.kind, preset: parsed.options.preset }, 'enqueued');
  return jobId;
}

/**
 * Point a job at a (new) Discord message: the bot moves a status message to the
 * channel route before its interaction token dies (DESIGN invariant 5). Updates the
 * job's data and the message index together.
 */
export async function setDiscordTarget(ctx: QueueContext, jobId: string, target: DiscordTarget): Promise<boolean> {
  const job = await ctx.queue.getJob(jobId);
  if (!job) return false;
  const data = jobDataSchema.parse(job.data);
  await job.updateData({ ...data, discord: target });
  await ctx.redis.hset(ctx.keys.messages, target.messageId, jobId);
  return true;
}

/** The job a Discord message belongs to, if any. */
export async function findJobIdByMessage(ctx: QueueContext, messageId: string): Promise<string | undefined> {
  return (await ctx.redis.hget(ctx.keys.messages, messageId)) ?? undefined;
}
