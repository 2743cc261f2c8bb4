/**
 * Durations in the environment: `14d`, `12h`, `30m`, `45s`, `1500ms`, or a bare number of
 * days (retention is thought of in days; tests use seconds). Pure.
 */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export type DurationResult = { ok: true; ms: number } | { ok: false; problem: string };

export function parseDuration(text: string): DurationResult {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/i.exec(text);
  if (!match) return { ok: false, problem: `"${text}" is not a duration (e.g. 14d, 12h, 30m, 45s)` };
  const unit = (match[2]?.toLowerCase() ?? 'd') as keyof typeof UNIT_MS;
  const ms = Math.round(Number(match[1]) * UNIT_MS[unit]);
  if (ms <= 0) return { ok: false, problem: `"${text}" must be longer than zero` };
  return { ok: true, ms };
}

/** Pure: a duration in the largest unit that says it exactly enough, for logs and messages ("14 d", "90 s"). */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', UNIT_MS.d], ['h', UNIT_MS.h], ['min', UNIT_MS.m], ['s', UNIT_MS.s]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  }
  return `${ms} ms`;
}
