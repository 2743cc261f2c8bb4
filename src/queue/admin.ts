import type { QueueContext } from './context.ts';
import { clearFailure, getCancelMarker, markCancelled, updateCancelMarker } from './jobRecords.ts';
import { jobDataSchema } from './schemas.ts';

/**
 * Admin steering. Pausing stops every worker from taking new jobs; running ones
 * finish. It is global (stored in Redis), so it survives restarts of the bot.
 */
export async function pauseQueue(ctx: QueueContext): Promise<void> {
  await ctx.queue.pause();
  ctx.logger.info('queue paused');
}

export async function resumeQueue(ctx: QueueContext): Promise<void> {
  await ctx.queue.resume();
  ctx.logger.info('queue resumed');
}

export function isPaused(ctx: QueueContext): Promise<boolean> {
  return ctx.queue.isPaused();
}

/**
 * Remove every job that has not started (waiting, or waiting out a retry backoff).
 * Each is marked cancelled by `by`, so its status message can say so. Returns how
 * many were removed; a job a worker took meanwhile is left running.
 */
export async function clearWaiting(ctx: QueueContext, options: { by: string } = { by: 'admin' }): Promise<number> {
  const ids = await ctx.queue.getRanges(['prioritized', 'waiting', 'delayed'], 0, -1, true);
  let removed = 0;
  for (const id of ids) {
    const job = await ctx.queue.getJob(id);
    if (!job) continue;
    const marker = await markCancelled(ctx, id, { by: options.by, at: Date.now() });
    try {
      await job.remove();
    } catch {
      await ctx.redis.del(ctx.keys.cancel(id));
      continue;
    }
    const data = jobDataSchema.safeParse(job.data);
    await updateCancelMarker(ctx, id, { ...marker, ...(data.success ? { data: data.data } : {}) });
    removed += 1;
  }
  ctx.logger.info({ removed, by: options.by }, 'cleared waiting jobs');
  return removed;
}

/**
 * Send failed jobs (one, or all) back to the queue for a fresh set of attempts.
 * Cancelled jobs are never retried: a member said no.
 */
export async function retryFailed(ctx: QueueContext, jobId?: string): Promise<number> {
  const ids = jobId ? [jobId] : await ctx.queue.getRanges(['failed'], 0, -1, true);
  let retried = 0;
  for (const id of ids) {
    const job = await ctx.queue.getJob(id);
    if (!job || (await job.getState()) !== 'failed') continue;
    if (await getCancelMarker(ctx, id)) continue;
    await clearFailure(ctx, id);
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    retried += 1;
  }
  ctx.logger.info({ retried, jobId }, 'retried failed jobs');
  return retried;
}
