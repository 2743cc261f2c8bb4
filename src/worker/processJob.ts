import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { Logger } from '../log.ts';
import { jobMetrics } from '../ops/metrics.ts';
import type { QueueContext } from '../queue/context.ts';
import { getCancelMarker, getDelivery, getRun, recordDelivery, recordFailure } from '../queue/jobRecords.ts';
import { jobDataSchema, type JobData, type JobProgress, type JobResult } from '../queue/schemas.ts';
import { classifyError, failureFor, JobCancelledError, JobHandedBackError, JobLockLostError } from './failures.ts';
import type { InstancePool } from './instances.ts';
import { runJob, type PipelineDeps } from './pipeline.ts';
import type { JobRef, Reporter } from '../queue/reporter.ts';

/** A job this worker holds: how to stop it, and whether it ends cancelled or handed back. */
export type HeldJob = { ref: JobRef; controller: AbortController; done: Promise<void> };

export type ProcessDeps = {
  ctx: QueueContext;
  pool: InstancePool;
  reporter: Reporter;
  logger: Logger;
  /** Everything runJob needs except the instance and its connection (chosen per job). */
  pipeline: Omit<PipelineDeps, 'instance' | 'connection' | 'logger'>;
  held: Map<string, HeldJob>;
};

/**
 * The BullMQ processor: one job on one ComfyUI slot. Cancelled jobs end failed with a
 * cancel marker (read back as `cancelled`) and are never retried; permanent faults
 * fail at once (UnrecoverableError); a job handed back at shutdown goes back to
 * waiting with its run recorded, so the next worker re-attaches.
 */
export function createProcessor(deps: ProcessDeps) {
  const { ctx, pool, reporter, held } = deps;
  return async (job: Job<JobData, JobResult>, token?: string): Promise<JobResult> => {
    const jobId = job.id ?? '';
    const log = deps.logger.child({ jobId });
    const data = jobDataSchema.parse(job.data);
    const ref: JobRef = { id: jobId, data, attempt: job.attemptsMade + 1 };
    const controller = new AbortController();
    let settle!: () => void;
    held.set(jobId, { ref, controller, done: new Promise<void>((resolve) => (settle = resolve)) });
    // The bot renders waiting and running jobs after its own restart from this copy.
    const storing: Reporter = {
      ...reporter,
      progress: async (jobRef: JobRef, progress: JobProgress) => {
        await Promise.all([job.updateProgress(progress), reporter.progress(jobRef, progress)]);
      },
    };
    try {
      // A worker that died after delivering left this: finish the job, run and post nothing again.
      const delivered = await getDelivery(ctx, jobId);
      if (delivered) {
        log.info({ promptId: delivered.promptId }, 'already delivered before a takeover; finishing the job');
        return delivered;
      }
      const marker = await getCancelMarker(ctx, jobId);
      if (marker) throw new JobCancelledError(marker.by);
      const previous = await getRun(ctx, jobId);
      const lease = await pool.acquire(data.kind === 'upscale' ? 'upscale' : data.options.preset, { prefer: previous?.instance, signal: controller.signal });
      try {
        log.info({ comfy: lease.url, attempt: ref.attempt, models: lease.models }, 'running');
        jobMetrics.started(data, job.timestamp);
        const result = await runJob({ ...deps.pipeline, instance: lease.url, connection: lease.connection, models: lease.models, logger: log, onGpuDone: () => lease.release() }, ref, storing, controller.signal);
        // Best effort: the landed marker of the status message guards the upload if this write fails.
        await recordDelivery(ctx, jobId, result).catch((error: unknown) => log.warn({ err: error }, 'could not record the delivery'));
        jobMetrics.completed(data, result);
        return result;
      } catch (error) {
        // Its files changed since the last preflight: look again, so the next job goes where its files are.
        if (classifyError(error).failure.code === 'missing_model') await pool.refresh({ only: lease.url });
        throw error;
      } finally {
        lease.release();
      }
    } catch (error) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
      if (reason instanceof JobCancelledError) {
        log.info({ by: reason.by }, 'cancelled');
        jobMetrics.cancelled(data);
        await reporter.cancelled(ref).catch((reportError: unknown) => log.warn({ err: reportError }, 'cancel report failed'));
        throw new UnrecoverableError('cancelled');
      }
      if (reason instanceof JobLockLostError) {
        // Nothing to report or record: the job is another worker's now (BullMQ refuses our move without the lock).
        throw reason;
      }
      if (reason instanceof JobHandedBackError) {
        log.info('handed back to the queue');
        jobMetrics.handedBack(data);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const classified = classifyError(error);
      const attempts = job.opts.attempts ?? 1;
      const retrying = !classified.permanent && job.attemptsMade + 1 < attempts;
      const failure = failureFor(classified, retrying);
      log[retrying ? 'warn' : 'error']({ err: error, code: failure.code, retrying }, 'job failed');
      jobMetrics.failed(data, failure.code, retrying);
      // The member still hears of it below; only /jobs and /queue lose the words, so say so in the log.
      await recordFailure(ctx, jobId, failure).catch((recordError: unknown) => log.warn({ err: recordError, code: failure.code }, 'could not store the failure'));
      await reporter.failed(ref, failure).catch((reportError: unknown) => log.warn({ err: reportError }, 'failure report failed'));
      if (classified.permanent) throw new UnrecoverableError(failure.message);
      throw error;
    } finally {
      held.delete(jobId);
      settle();
    }
  };
}
