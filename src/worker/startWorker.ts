import { Worker } from 'bullmq';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { createQueueContext, type QueueContext } from '../queue/context.ts';
import { subscribeToCancels } from '../queue/cancel.ts';
import { estimateDuration, recordDuration } from '../queue/eta.ts';
import { getRun, recordRun } from '../queue/jobRecords.ts';
import { QUEUE_NAME } from '../queue/keys.ts';
import type { JobData, JobResult } from '../queue/schemas.ts';
import { loadPresets, loadWorkflows, type PreflightWorkflows, type Presets } from '../workflow/index.ts';
import { JobCancelledError, JobHandedBackError, JobLockLostError } from './failures.ts';
import { createInstancePool, type InstanceState } from './instances.ts';
import { pipelineSettingsFromConfig, type PipelineSettings } from './pipeline.ts';
import { createProcessor, type HeldJob } from './processJob.ts';
import type { Reporter } from '../queue/reporter.ts';

/** Timing of the worker; the defaults suit production, tests shorten them. */
export type WorkerTuning = {
  /**
   * A job's lock; a SIGKILLed worker's job runs again on another worker after about this
   * long plus one stalled check (8–12 s with the defaults). Default 10 s.
   */
  lockDurationMs: number;
  /**
   * How often a running job's lock is renewed. A worker whose event loop is blocked for
   * longer than lockDurationMs − lockRenewMs (a long synchronous step, a GC pause) loses
   * the job; a slow upload does not block the loop and never does. Default 2 s.
   */
  lockRenewMs: number;
  /** How often workers look for jobs whose lock expired. Default 2 s. */
  stalledIntervalMs: number;
  /** Takeovers before a job that keeps killing workers fails. Default 3. */
  maxStalledCount: number;
  /** How often each ComfyUI is preflighted again. Default 5 min. */
  preflightIntervalMs: number;
  /** How long running jobs may finish after the first SIGTERM; default SHUTDOWN_GRACE_SECONDS. */
  graceMs: number | undefined;
  pipeline: Partial<PipelineSettings>;
};

export const workerTuningDefaults = {
  lockDurationMs: 10_000,
  lockRenewMs: 2_000,
  stalledIntervalMs: 2_000,
  maxStalledCount: 3,
  preflightIntervalMs: 5 * 60_000,
  graceMs: undefined,
  pipeline: {},
} as const satisfies WorkerTuning;

export type StartWorkerOptions = {
  config: Config;
  reporter: Reporter;
  logger: Logger;
  /** Default: a context from REDIS_URL and QUEUE_PREFIX, closed with the worker. */
  queueContext?: QueueContext;
  /** Default: COMFYUI_URL. */
  comfyUrls?: readonly string[];
  /** Default: loaded from PRESET_DIR and WORKFLOW_DIR. */
  presets?: Presets;
  workflows?: PreflightWorkflows;
  tuning?: Partial<WorkerTuning>;
};

export type WorkerHandle = {
  /** Resolves once every instance was preflighted and the worker takes jobs. */
  ready: Promise<void>;
  /** First signal: take no new jobs, let running ones finish within the grace period, hand back the rest. */
  shutdown(): Promise<void>;
  /** Second signal: hand back every running job now and close. */
  stopNow(): Promise<void>;
  /** Same as stopNow, for tests and embedding. */
  close(): Promise<void>;
  /** Each instance's state now (for /readyz and the instance metrics); empty before the first preflight. */
  instanceStatus(): InstanceState[];
};

/** The presets and every workflow they name (plus the upscale graph), checked at start. */
export async function loadWorkerAssets(config: Config): Promise<{ presets: Presets; workflows: PreflightWorkflows }> {
  const presets = await loadPresets(config.PRESET_DIR);
  return { presets, workflows: await loadWorkflows(config.WORKFLOW_DIR, presets) };
}

export function startWorker(options: StartWorkerOptions): WorkerHandle {
  const { config, reporter } = options;
  const logger = options.logger.child({ role: 'worker' });
  const tuning = { ...workerTuningDefaults, ...options.tuning };
  const graceMs = tuning.graceMs ?? config.SHUTDOWN_GRACE_SECONDS * 1000;
  const ctx = options.queueContext ?? createQueueContext({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, logger });
  const ownsContext = options.queueContext === undefined;
  const urls = options.comfyUrls ?? config.COMFYUI_URL;
  const held = new Map<string, HeldJob>();
  const cancels = subscribeToCancels(ctx, ({ jobId, by }) => {
    const job = held.get(jobId);
    if (!job) return;
    logger.info({ jobId, by }, 'cancel received');
    job.controller.abort(new JobCancelledError(by));
  });

  let worker: Worker<JobData, JobResult> | undefined;
  let pool: ReturnType<typeof createInstancePool> | undefined;
  let preflightTimer: NodeJS.Timeout | undefined;

  const ready = (async () => {
    const assets = options.presets && options.workflows ? { presets: options.presets, workflows: options.workflows } : await loadWorkerAssets(config);
    pool = createInstancePool({ urls, capacity: config.PROMPTS_PER_INSTANCE, presets: assets.presets, workflows: assets.workflows, logger });
    await Promise.all([pool.refresh(), cancels.ready]);
    const processor = createProcessor({
      ctx,
      pool,
      reporter,
      logger,
      held,
      pipeline: {
        presets: assets.presets,
        workflows: assets.workflows,
        settings: pipelineSettingsFromConfig(config, tuning.pipeline),
        connectionFor: (url) => pool?.connectionFor(url),
        runs: { get: (jobId) => getRun(ctx, jobId), record: (jobId, run) => recordRun(ctx, jobId, run) },
        eta: { estimate: (key, shape) => estimateDuration(ctx, key, shape), record: (key, ms) => recordDuration(ctx, key, ms) },
      },
    });
    worker = new Worker<JobData, JobResult>(QUEUE_NAME, processor, {
      connection: ctx.connect('oelala-worker'),
      prefix: ctx.prefix,
      // One more job per instance than ComfyUI holds: a finished job being fetched and delivered
      // gives its ComfyUI slot back at once, so the next prompt is queued while the upload runs.
      concurrency: Math.max(1, urls.length * (config.PROMPTS_PER_INSTANCE + 1)),
      lockDuration: tuning.lockDurationMs,
      lockRenewTime: Math.min(tuning.lockRenewMs, tuning.lockDurationMs / 2),
      stalledInterval: tuning.stalledIntervalMs,
      maxStalledCount: tuning.maxStalledCount,
      removeOnComplete: { age: ctx.jobDefaults.keepFinishedSeconds },
      removeOnFail: { age: ctx.jobDefaults.keepFinishedSeconds },
    });
    worker.on('error', (error) => logger.warn({ err: error }, 'worker error'));
    worker.on('stalled', (jobId) => logger.warn({ jobId }, 'took over a stalled job'));
    // Our lock is gone (this worker was stalled for longer than the lock): another worker owns the
    // job now and re-attaches to its prompt, so stop here and deliver nothing.
    worker.on('lockRenewalFailed', (jobIds) => {
      for (const jobId of jobIds) {
        const job = held.get(jobId);
        if (!job || job.controller.signal.aborted) continue;
        logger.warn({ jobId }, 'lost the lock of a running job; leaving it to the worker that took it over');
        job.controller.abort(new JobLockLostError());
      }
    });
    await worker.waitUntilReady();
    preflightTimer = setInterval(() => void pool?.refresh(), tuning.preflightIntervalMs);
    preflightTimer.unref();
    logger.info({ comfy: urls, concurrency: worker.concurrency }, 'worker ready');
  })();
  ready.catch((error: unknown) => logger.error({ err: error }, 'worker failed to start'));

  const handBackAll = () => {
    for (const job of held.values()) if (!job.controller.signal.aborted) job.controller.abort(new JobHandedBackError());
  };
  const settled = () => Promise.all([...held.values()].map((job) => job.done));

  let closing: Promise<void> | undefined;
  /**
   * BullMQ's close() sets its closing flag at once (no new jobs, not even the
   * fetch-next that follows a finished job, which pause() lets through) and then
   * waits for the running ones; we decide when those end.
   */
  const stopTaking = () => worker?.close() ?? Promise.resolve();
  const finish = async (workerClosed: Promise<void>) => {
    await settled();
    await workerClosed;
    if (preflightTimer) clearInterval(preflightTimer);
    await cancels.close();
    await pool?.close();
    if (ownsContext) await ctx.close();
    logger.info('worker closed');
  };

  const stopNow = () => {
    handBackAll();
    closing ??= (async () => {
      await ready.catch(() => {});
      const workerClosed = stopTaking();
      handBackAll();
      await finish(workerClosed);
    })();
    return closing;
  };

  return {
    ready,
    instanceStatus: () => pool?.status() ?? [],
    shutdown() {
      closing ??= (async () => {
        await ready.catch(() => {});
        const workerClosed = stopTaking();
        logger.info({ running: held.size, graceMs }, 'shutting down: no new jobs; letting running ones finish');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([settled(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
        clearTimeout(timer);
        if (held.size > 0) logger.info({ jobs: [...held.keys()] }, 'grace period over: handing running jobs back');
        handBackAll();
        await finish(workerClosed);
      })();
      return closing;
    },
    stopNow,
    close: stopNow,
  };
}
