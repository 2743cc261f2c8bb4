import type { JobFailure } from '../../src/queue/schemas.ts';
import type { Reporter } from '../../src/queue/reporter.ts';
import type { JobResult } from '../../src/queue/schemas.ts';

/** A reporter that remembers how each job ended and lets a scenario wait for it. */
export type EndingReporter = Reporter & {
  ended(jobId: string): Promise<JobResult>;
  /** ms (Date.now) when `delivered` was called, per job. */
  deliveredAt: Map<string, number>;
};

export function endingReporter(): EndingReporter {
  const waiters = new Map<string, { resolve(result: JobResult): void; reject(error: Error): void; promise: Promise<JobResult> }>();
  const slot = (jobId: string) => {
    let entry = waiters.get(jobId);
    if (!entry) {
      let resolve!: (result: JobResult) => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<JobResult>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(() => {});
      entry = { resolve, reject, promise };
      waiters.set(jobId, entry);
    }
    return entry;
  };
  const deliveredAt = new Map<string, number>();
  return {
    progress: async () => {},
    async delivered(job, result) {
      deliveredAt.set(job.id, Date.now());
      slot(job.id).resolve(result);
    },
    async failed(job, failure: JobFailure) {
      if (!failure.retrying) slot(job.id).reject(new Error(`job ${job.id} failed: ${failure.code} ${failure.message} ${failure.detail ?? ''}`));
    },
    async cancelled(job) {
      slot(job.id).reject(new Error(`job ${job.id} was cancelled`));
    },
    ended: (jobId) => slot(jobId).promise,
    deliveredAt,
  };
}
