import type { Figure } from './table.ts';

/** One figure group of `npm run bench`: sets up its own world, measures, tears it all down. */
export type Scenario = {
  name: string;
  /** What the rows would be, so a scenario that throws still shows up by name. */
  figureIds: readonly string[];
  run(): Promise<Figure[]>;
};

/** A row for a scenario that could not be measured. */
export function errorRow(id: string, label: string, error: unknown): Figure {
  const message = error instanceof Error ? error.message : String(error);
  return { id, label, unit: '', median: Number.NaN, budget: '', pass: false, note: `ERROR: ${message.split('\n')[0]?.slice(0, 160)}` };
}

export function skippedRow(id: string, label: string, why: string): Figure {
  return { id, label, unit: '', median: Number.NaN, budget: '', pass: undefined, note: `skipped: ${why}` };
}

/** Shape of the bench's jobs: small and short so the simulator's own ffmpeg stays cheap; seeds differ so nothing is cached. */
export const benchJobOptions = { prompt: 'a lighthouse in a storm, waves crash', preset: 'fast', frames: 17, width: 320, height: 192 } as const;

/** The member the bench's admin commands come from (ADMIN_USER_IDS of its Discord worlds). */
export const BENCH_ADMIN_ID = '100000000000000042';

/** The environment of a bench world with the fake Discord: the admin, and room for many waiting jobs per member. */
export const benchDiscordEnv = { ADMIN_USER_IDS: BENCH_ADMIN_ID, MAX_WAITING_PER_USER: '1000' } as const;
