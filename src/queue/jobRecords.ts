import type { ZodType } from 'zod';
import type { QueueContext } from './context.ts';
import {
  cancelMarkerSchema,
  jobFailureSchema,
  jobResultSchema,
  jobRunSchema,
  type CancelMarker,
  type JobFailure,
  type JobResult,
  type JobRun,
} from './schemas.ts';

/**
 * The small records we keep beside each BullMQ job: its run on ComfyUI, its delivery,
 * how it failed, and the cancel marker. Each lives as long as finished jobs do.
 */

async function readJson<T>(ctx: QueueContext, key: string, schema: ZodType<T>): Promise<T | undefined> {
  const raw = await ctx.redis.get(key);
  if (raw === null) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through: an unreadable record is treated as absent, and logged
  }
  ctx.logger.warn({ key }, 'ignoring an unreadable record in redis');
  return undefined;
}

async function writeJson(ctx: QueueContext, key: string, value: unknown): Promise<void> {
  await ctx.redis.set(key, JSON.stringify(value), 'EX', ctx.jobDefaults.keepFinishedSeconds);
}

/** Written BEFORE the prompt is submitted, so a worker taking over can ask that ComfyUI first. */
export async function recordRun(ctx: QueueContext, jobId: string, run: JobRun): Promise<void> {
  await writeJson(ctx, ctx.keys.run(jobId), run);
}

export function getRun(ctx: QueueContext, jobId: string): Promise<JobRun | undefined> {
  return readJson(ctx, ctx.keys.run(jobId), jobRunSchema);
}

/** Written once the video is delivered, before BullMQ hears of it: a worker taking over finishes with this. */
export async function recordDelivery(ctx: QueueContext, jobId: string, result: JobResult): Promise<void> {
  await writeJson(ctx, ctx.keys.delivery(jobId), result);
}

export function getDelivery(ctx: QueueContext, jobId: string): Promise<JobResult | undefined> {
  return readJson(ctx, ctx.keys.delivery(jobId), jobResultSchema);
}

export async function recordFailure(ctx: QueueContext, jobId: string, failure: JobFailure): Promise<void> {
  await writeJson(ctx, ctx.keys.failure(jobId), failure);
}

export function getFailure(ctx: QueueContext, jobId: string): Promise<JobFailure | undefined> {
  return readJson(ctx, ctx.keys.failure(jobId), jobFailureSchema);
}

export async function clearFailure(ctx: QueueContext, jobId: string): Promise<void> {
  await ctx.redis.del(ctx.keys.failure(jobId));
}

/** Sets the marker unless one exists; returns the marker that holds. */
export async function markCancelled(ctx: QueueContext, jobId: string, marker: CancelMarker): Promise<CancelMarker> {
  const written = await ctx.redis.set(ctx.keys.cancel(jobId), JSON.stringify(marker), 'EX', ctx.jobDefaults.keepFinishedSeconds, 'NX');
  if (written === 'OK') return marker;
  return (await getCancelMarker(ctx, jobId)) ?? marker;
}

/** Replace the marker (to keep the data of a removed waiting job). */
export async function updateCancelMarker(ctx: QueueContext, jobId: string, marker: CancelMarker): Promise<void> {
  await writeJson(ctx, ctx.keys.cancel(jobId), marker);
}

export function getCancelMarker(ctx: QueueContext, jobId: string): Promise<CancelMarker | undefined> {
  return readJson(ctx, ctx.keys.cancel(jobId), cancelMarkerSchema);
}
