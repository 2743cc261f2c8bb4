import type { TimelineEntry } from '../../src/simulator/index.ts';

/**
 * Pure readings of a simulator's timeline (performance-clock ms): the idle gaps of its
 * one "GPU" and how busy it was. Entries without both ends (cancelled, never run) are
 * left out.
 */

export type Run = { promptId: string; receivedAt: number; startedAt: number; endedAt: number };

export function finishedRuns(timeline: readonly TimelineEntry[], promptIds?: ReadonlySet<string>): Run[] {
  return timeline
    .filter((t): t is TimelineEntry & { startedAt: number; endedAt: number } => t.startedAt !== undefined && t.endedAt !== undefined)
    .filter((t) => !promptIds || promptIds.has(t.promptId))
    .map((t) => ({ promptId: t.promptId, receivedAt: t.receivedAt, startedAt: t.startedAt, endedAt: t.endedAt }))
    .sort((a, b) => a.startedAt - b.startedAt);
}

/** startedAt of run n+1 minus endedAt of run n, for consecutive runs of one instance. */
export function idleGaps(runs: readonly Run[]): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < runs.length; i++) gaps.push(runs[i]!.startedAt - runs[i - 1]!.endedAt);
  return gaps;
}

/** Sum of run times over the span from the first start to the last end (1 = never idle). */
export function busyFraction(runs: readonly Run[]): number {
  if (runs.length === 0) return Number.NaN;
  const busy = runs.reduce((sum, run) => sum + (run.endedAt - run.startedAt), 0);
  const span = Math.max(...runs.map((r) => r.endedAt)) - Math.min(...runs.map((r) => r.startedAt));
  return span > 0 ? busy / span : 1;
}

/** Smallest spacing between consecutive times of each key (e.g. edits per message); keys with one time are skipped. */
export function minSpacingPerKey(events: ReadonlyArray<{ key: string; atMs: number }>): Map<string, number> {
  const byKey = new Map<string, number[]>();
  for (const event of events) {
    const times = byKey.get(event.key) ?? [];
    times.push(event.atMs);
    byKey.set(event.key, times);
  }
  const spacing = new Map<string, number>();
  for (const [key, times] of byKey) {
    if (times.length < 2) continue;
    times.sort((a, b) => a - b);
    let min = Infinity;
    for (let i = 1; i < times.length; i++) min = Math.min(min, times[i]! - times[i - 1]!);
    spacing.set(key, min);
  }
  return spacing;
}
