import type { Redis } from 'ioredis';
import type { QueueContext } from './context.ts';
import { getCancelMarker, markCancelled, updateCancelMarker } from './jobRecords.ts';
import { cancelMessageSchema, jobDataSchema, type CancelMessage } from './schemas.ts';

export type CancelOutcome = 'removed' | 'signalled' | 'not_found' | 'already_finished';

/**
 * Cancel a job from any process. The marker is written first, so whichever way
 * the race with a worker goes, the job ends cancelled: a waiting job is removed;
 * if a worker took it meanwhile (it is locked), or it is running, the cancel is
 * published and the worker holding it interrupts its own prompt. A worker that
 * picks the job up later (or after a restart) finds the marker.
 */
export async function requestCancel(ctx: QueueContext, jobId: string, options: { by: string }): Promise<CancelOutcome> {
  const job = await ctx.queue.getJob(jobId);
  if (!job) return (await getCancelMarker(ctx, jobId)) ? 'already_finished' : 'not_found';
  const state = await job.getState();
  if (state === 'completed' || state === 'failed') return 'already_finished';
  if (state === 'unknown') return 'not_found';
  const marker = await markCancelled(ctx, jobId, { by: options.by, at: Date.now() });
  if (state !== 'active') {
    try {
      await job.remove();
      const data = jobDataSchema.safeParse(job.data);
      await updateCancelMarker(ctx, jobId, { ...marker, ...(data.success ? { data: data.data } : {}) });
      ctx.logger.info({ jobId, by: options.by }, 'cancelled a waiting job');
      return 'removed';
    } catch (error) {
      // Locked: a worker took it between our read and the remove. Signal it instead.
      ctx.logger.debug({ jobId, err: error }, 'waiting job was taken meanwhile; signalling');
    }
  }
  const message: CancelMessage = { jobId, by: options.by };
  await ctx.redis.publish(ctx.keys.cancelChannel, JSON.stringify(message));
  ctx.logger.info({ jobId, by: options.by }, 'cancel signalled to the worker holding the job');
  return 'signalled';
}

/** Has anyone asked to cancel this job? Workers check before and after taking a job. */
export async function isCancelRequested(ctx: QueueContext, jobId: string): Promise<boolean> {
  return (await ctx.redis.exists(ctx.keys.cancel(jobId))) === 1;
}

export type CancelSubscription = { ready: Promise<void>; close(): Promise<void> };

/** Listen for cancels on a dedicated connection (a subscribed connection can do nothing else). */
export function subscribeToCancels(ctx: QueueContext, onCancel: (message: CancelMessage) => void): CancelSubscription {
  const subscriber: Redis = ctx.connect('oelala-cancel-subscriber');
  subscriber.on('message', (channel: string, raw: string) => {
    if (channel !== ctx.keys.cancelChannel) return;
    try {
      const parsed = cancelMessageSchema.safeParse(JSON.parse(raw));
      if (parsed.success) onCancel(parsed.data);
      else ctx.logger.warn({ raw }, 'ignoring a malformed cancel message');
    } catch (error) {
      ctx.logger.warn({ raw, err: error }, 'ignoring a malformed cancel message');
    }
  });
  const ready = subscriber.subscribe(ctx.keys.cancelChannel).then(() => undefined);
  return {
    ready,
    async close() {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
