import type { Reporter } from '../../src/queue/reporter.ts';
import { enqueueJob, type JobData } from '../../src/queue/index.ts';
import type { WorkerTuning } from '../../src/worker/index.ts';
import { promptIdFor } from '../../src/worker/promptId.ts';
import { storeSampleJob } from '../../test/support/jobs.ts';
import { openWorld } from '../../test/support/world.ts';
import { perfNow } from './clock.ts';
import { smallPng } from './media.ts';
import { endingReporter } from './reporter.ts';
import { benchJobOptions } from './scenario.ts';

/**
 * A burst: `jobs` jobs stored first (not timed), then enqueued at once to a fresh real
 * worker driving `comfyUrls`; resolves when every job was delivered.
 */
export type BurstOptions = {
  comfyUrls: readonly string[];
  jobs: number;
  /** Extra environment (PROMPTS_PER_INSTANCE, ...). */
  env?: Record<string, string>;
  /** Wrap the reporter (e.g. a throttled delivery). */
  wrap?: (reporter: Reporter) => Reporter;
  tuning?: Partial<WorkerTuning>;
  seedBase?: number;
};

export type BurstResult = {
  jobIds: string[];
  promptIds: Set<string>;
  /** perf-clock ms: the first enqueue, and the last delivery. */
  enqueuedAt: number;
  doneAt: number;
};

export async function runBurst(options: BurstOptions): Promise<BurstResult> {
  const world = await openWorld({ purpose: 'bench', comfyUrls: options.comfyUrls, ...(options.env ? { env: options.env } : {}) });
  const ending = endingReporter();
  try {
    await world.startWorker({ reports: ending, ownQueue: true, ...(options.wrap ? { wrap: options.wrap } : {}), ...(options.tuning ? { tuning: options.tuning } : {}) });
    const png = await smallPng();
    const jobs: Array<{ jobId: string; data: JobData }> = [];
    for (let i = 0; i < options.jobs; i++) jobs.push(await storeSampleJob(world, png, { options: { ...benchJobOptions, seed: (options.seedBase ?? 0) + i + 1 } }));
    const enqueuedAt = perfNow();
    for (const job of jobs) await enqueueJob(world.queue, job.data, { jobId: job.jobId, attempts: 1 });
    await Promise.all(jobs.map((job) => ending.ended(job.jobId)));
    const doneAt = perfNow();
    return { jobIds: jobs.map((j) => j.jobId), promptIds: new Set(jobs.map((j) => promptIdFor(j.jobId, 1))), enqueuedAt, doneAt };
  } finally {
    await world.close();
  }
}
