import type { JobData, JobFailure, JobProgress, JobResult } from './schemas.ts';

/**
 * Where a running job's life is told: the Discord status message, the CLI's progress
 * bar, a test's log. The worker calls it; it never calls back into the worker.
 */

export type JobRef = {
  /** Our job id (BullMQ's). Short enough to show members as a reference. */
  id: string;
  data: JobData;
  /** 1 for the first attempt; `prompt_id` is `${id}-a${attempt}`. */
  attempt: number;
};

export interface Reporter {
  /** Coalesced by the worker to about one call per second per job; the latest state wins. */
  progress(job: JobRef, progress: JobProgress): Promise<void>;
  /** The finished video, already under `job.data.sizeLimit`. Idempotent: a job taken over after a crash may deliver again and must not post twice. */
  delivered(job: JobRef, result: JobResult): Promise<void>;
  failed(job: JobRef, failure: JobFailure): Promise<void>;
  cancelled(job: JobRef): Promise<void>;
}

/** A reporter that tells nobody, for tools that only want the result. */
export const silentReporter: Reporter = {
  progress: async () => {},
  delivered: async () => {},
  failed: async () => {},
  cancelled: async () => {},
};
