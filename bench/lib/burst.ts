import type { Reporter } from '../../src/worker/reporter.ts';
import { startWorker, type WorkerTuning } from '../../src/worker/index.ts';
import { perfNow } from './clock.ts';
import { smallPng } from './media.ts';
import { endingReporter } from './reporter.ts';
import { benchLogger, enqueue, openCorner, promptIdFor, storeJob, type BenchJob } from './world.ts';

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
  const corner = await openCorner({ COMFYUI_URL: options.comfyUrls.join(','), ...options.env });
  const ending = endingReporter();
  const reporter = options.wrap ? options.wrap(ending) : ending;
  const worker = startWorker({ config: corner.config, reporter, logger: benchLogger, ...(options.tuning ? { tuning: options.tuning } : {}) });
  try {
    await worker.ready;
    const png = await smallPng();
    const jobs: BenchJob[] = [];
    for (let i = 0; i < options.jobs; i++) jobs.push(await storeJob(corner, png, { seed: (options.seedBase ?? 0) + i + 1 }));
    const enqueuedAt = perfNow();
    for (const job of jobs) await enqueue(corner, job);
    await Promise.all(jobs.map((job) => ending.ended(job.jobId)));
    const doneAt = perfNow();
    return { jobIds: jobs.map((j) => j.jobId), promptIds: new Set(jobs.map((j) => promptIdFor(j.jobId, 1))), enqueuedAt, doneAt };
  } finally {
    await worker.close();
    await corner.close();
  }
}
