import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { parseConfig, type Config } from '../../src/config.ts';
import type { JobData, JobProgress, JobResult } from '../../src/queue/schemas.ts';
import type { JobOptions } from '../../src/workflow/jobOptions.ts';
import type { JobFailure } from '../../src/queue/schemas.ts';
import type { JobRef, Reporter } from '../../src/queue/reporter.ts';
import { REDIS_URL } from '../queue/helpers.ts';

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

/** The project's config pointed at test resources. */
export function testConfig(overrides: Record<string, string>): Config {
  const parsed = parseConfig({
    REDIS_URL,
    PRESET_DIR: join(import.meta.dirname, '../../presets'),
    WORKFLOW_DIR: join(import.meta.dirname, '../../workflows'),
    FFMPEG_PATH: '/usr/bin/ffmpeg',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.config;
}

/** A small start image written where the job data points. */
export async function writeStartImage(path: string, width = 256, height = 192): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 90, b: 40 } } })
    .composite([{ input: { create: { width: width / 2, height: height / 2, channels: 3, background: { r: 20, g: 60, b: 200 } } }, left: 16, top: 16 }])
    .png()
    .toFile(path);
}

/** Job data for a tiny, fast i2v job (192×128, 17 frames, 4 steps). */
export function tinyJob(inputPath: string, options: Partial<JobOptions> = {}, overrides: Partial<JobData> = {}): JobData {
  return {
    v: 1,
    kind: 'i2v',
    options: { prompt: 'a fox turns its head', preset: 'fast', aspect: 'auto', seed: 1234, width: 192, height: 128, frames: 17, ...options },
    input: { path: inputPath, width: 256, height: 192 },
    sizeLimit: 10 * 1024 * 1024,
    requester: { userId: '100000000000000001', name: 'member' },
    createdAt: Date.now(),
    ...overrides,
  };
}
