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
