import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobProgress, JobResult, JobFailure } from '../../src/queue/schemas.ts';
import type { JobRef, Reporter } from '../../src/queue/reporter.ts';

export type ReportedCall =
  | { type: 'progress'; jobId: string; attempt: number; progress: JobProgress }
  | { type: 'delivered'; jobId: string; attempt: number; result: JobResult }
  | { type: 'failed'; jobId: string; attempt: number; failure: JobFailure }
  | { type: 'cancelled'; jobId: string; attempt: number };

/** A reporter that records every call and lets a test wait for one (on the call, not a timer). */
export function recordingReporter() {
  const calls: ReportedCall[] = [];
  const emitter = new EventEmitter();
  const record = (call: ReportedCall) => {
    calls.push(call);
    emitter.emit('call', call);
  };
  const reporter: Reporter = {
    progress: async (job: JobRef, progress) => record({ type: 'progress', jobId: job.id, attempt: job.attempt, progress }),
    delivered: async (job, result) => record({ type: 'delivered', jobId: job.id, attempt: job.attempt, result }),
    failed: async (job, failure) => record({ type: 'failed', jobId: job.id, attempt: job.attempt, failure }),
    cancelled: async (job) => record({ type: 'cancelled', jobId: job.id, attempt: job.attempt }),
  };
  /** Resolves with the first call (past or future) that matches. */
  const waitFor = <T extends ReportedCall>(match: (call: ReportedCall) => call is T, timeoutMs = 30_000): Promise<T> => {
    const found = calls.find(match);
    if (found) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        emitter.off('call', listener);
        reject(new Error(`no matching report within ${timeoutMs} ms; saw ${calls.map((c) => `${c.type}:${c.jobId}`).join(', ')}`));
      }, timeoutMs);
      const listener = (call: ReportedCall) => {
        if (!match(call)) return;
        clearTimeout(timer);
        emitter.off('call', listener);
        resolve(call);
      };
      emitter.on('call', listener);
    });
  };
  const of = <K extends ReportedCall['type']>(type: K, jobId?: string) =>
    calls.filter((call): call is Extract<ReportedCall, { type: K }> => call.type === type && (jobId === undefined || call.jobId === jobId));
  return { reporter, calls, waitFor, of };
}

export const is = {
  delivered: (jobId: string) => (call: ReportedCall): call is Extract<ReportedCall, { type: 'delivered' }> => call.type === 'delivered' && call.jobId === jobId,
  failed: (jobId: string) => (call: ReportedCall): call is Extract<ReportedCall, { type: 'failed' }> => call.type === 'failed' && call.jobId === jobId,
  cancelled: (jobId: string) => (call: ReportedCall): call is Extract<ReportedCall, { type: 'cancelled' }> => call.type === 'cancelled' && call.jobId === jobId,
  atStage: (jobId: string, stage: JobProgress['stage']) => (call: ReportedCall): call is Extract<ReportedCall, { type: 'progress' }> =>
    call.type === 'progress' && call.jobId === jobId && call.progress.stage === stage,
};

export async function makeDataDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'oelala-worker-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
