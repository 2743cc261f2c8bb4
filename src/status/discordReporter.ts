import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import type { JobRef, Reporter } from '../queue/reporter.ts';
import { saveResult } from '../queue/results.ts';
import { markRunning } from './messageMarkers.ts';
import type { StatusEditor } from './statusEditor.ts';
import { renderCancelled, renderDelivered, renderFailed, renderRunning } from './statusMessage.ts';

/**
 * The worker's voice on Discord: edits the job's status message through the REST client
 * only (no gateway), so `npm run worker` on a GPU host needs nothing but DISCORD_TOKEN.
 */

export type DiscordReporterOptions = {
  editor: StatusEditor;
  redis: Redis;
  prefix: string;
  logger: Logger;
  now?: () => number;
  /** Seconds a delivered result's buttons keep working (RESULT_KEEP_DAYS); default 90 days. */
  keepResultSeconds?: number;
};

export function createDiscordReporter(options: DiscordReporterOptions): Reporter {
  const { editor, redis, prefix, logger } = options;
  const now = options.now ?? Date.now;
  const keepResultSeconds = options.keepResultSeconds ?? 90 * 24 * 3600;
  // Messages already marked as held by a worker (one Redis write per job, not per step).
  const running = new Set<string>();

  const targetOf = (job: JobRef) => {
    const target = job.data.discord;
    if (!target) logger.debug({ jobId: job.id }, 'job has no Discord message; nothing to report');
    return target;
  };

  return {
    async progress(job, progress) {
      const target = targetOf(job);
      if (!target) return;
      if (!running.has(target.messageId)) {
        running.add(target.messageId);
        await markRunning(redis, prefix, target.messageId);
      }
      editor.show(target, renderRunning({ jobId: job.id, data: job.data, progress, now: now() }));
    },
    async delivered(job, result) {
      const target = targetOf(job);
      if (!target) return;
      running.delete(target.messageId);
      // Before the buttons appear: a click must find what made this video.
      // A failed write costs the buttons (they answer "expired"), never the video.
      await saveResult(redis, prefix, { jobId: job.id, data: job.data, result, deliveredAt: now() }, keepResultSeconds).catch((error: unknown) =>
        logger.warn({ jobId: job.id, err: error }, 'could not store the result for its buttons'),
      );
      await editor.showFinal(target, renderDelivered({ jobId: job.id, data: job.data, result }));
    },
    async failed(job, failure) {
      const target = targetOf(job);
      if (!target) return;
      const view = renderFailed({ jobId: job.id, data: job.data, failure });
      if (!view.final) return editor.show(target, view);
      running.delete(target.messageId);
      await editor.showFinal(target, view);
    },
    async cancelled(job) {
      const target = targetOf(job);
      if (!target) return;
      running.delete(target.messageId);
      await editor.showFinal(target, renderCancelled({ jobId: job.id, data: job.data }));
    },
  };
}
