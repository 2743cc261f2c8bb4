import type { EtaKey, WorkloadShape } from '../queue/eta.ts';
import { formulaDurationMs } from '../queue/eta.ts';
import type { JobRun } from '../queue/schemas.ts';

/**
 * What the pipeline remembers outside itself, injected so the CLI runs without Redis:
 * the worker's versions write to Redis (src/queue), the CLI's forget.
 */
export type RunRecorder = {
  get(jobId: string): Promise<JobRun | undefined>;
  /** Called BEFORE submitting, so a worker taking over asks that ComfyUI first. */
  record(jobId: string, run: JobRun): Promise<void>;
};

export const forgetfulRunRecorder: RunRecorder = {
  get: async () => undefined,
  record: async () => {},
};

export type EtaBook = {
  estimate(key: EtaKey, shape: WorkloadShape): Promise<number>;
  record(key: EtaKey, durationMs: number): Promise<void>;
};

export const formulaEtaBook: EtaBook = {
  estimate: async (_key, shape) => formulaDurationMs(shape),
  record: async () => {},
};
