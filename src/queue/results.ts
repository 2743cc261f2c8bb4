import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { QueueContext } from './context.ts';
import { queueKeys } from './keys.ts';
import { jobDataSchema, jobResultSchema } from './schemas.ts';

/**
 * What a delivered video's buttons need, kept longer than BullMQ keeps finished jobs
 * (7 days): the job's data and its result. Written by whoever delivers the video,
 * before the message shows its buttons, so a click never finds nothing.
 */

export const storedResultSchema = z.object({ jobId: z.string(), data: jobDataSchema, result: jobResultSchema, deliveredAt: z.number().int() });
export type StoredResult = z.infer<typeof storedResultSchema>;

export async function saveResult(redis: Redis, prefix: string, record: StoredResult, keepSeconds: number): Promise<void> {
  await redis.set(queueKeys(prefix).result(record.jobId), JSON.stringify(storedResultSchema.parse(record)), 'EX', keepSeconds);
}

/** The stored result of a job, or undefined when it expired (or never finished). */
export async function loadResult(ctx: QueueContext, jobId: string): Promise<StoredResult | undefined> {
  const raw = await ctx.redis.get(ctx.keys.result(jobId));
  if (raw === null) return undefined;
  try {
    const parsed = storedResultSchema.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
  } catch {
    // unreadable: treated as expired, and logged
  }
  ctx.logger.warn({ jobId }, 'ignoring an unreadable result record');
  return undefined;
}
