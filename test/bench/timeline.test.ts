import { describe, expect, it } from 'vitest';
import { summarize } from '../../bench/lib/stats.ts';
import { busyFraction, finishedRuns, idleGaps, minSpacingPerKey } from '../../bench/lib/timeline.ts';

describe('bench readings of a simulator timeline', () => {
  const timeline = [
    { promptId: 'b', receivedAt: 0, startedAt: 110, endedAt: 200, status: 'success' as const },
    { promptId: 'a', receivedAt: 0, startedAt: 0, endedAt: 100, status: 'success' as const },
    { promptId: 'never-ran', receivedAt: 0 },
  ];

  it('orders finished runs by start and leaves out prompts that never ran', () => {
    expect(finishedRuns(timeline).map((r) => r.promptId)).toEqual(['a', 'b']);
    expect(finishedRuns(timeline, new Set(['b'])).map((r) => r.promptId)).toEqual(['b']);
  });

  it('a gap is the next start minus the previous end', () => {
    expect(idleGaps(finishedRuns(timeline))).toEqual([10]);
  });

  it('busy fraction is run time over the span from first start to last end', () => {
    expect(busyFraction(finishedRuns(timeline))).toBeCloseTo(190 / 200);
  });

  it('edit spacing is the smallest gap per message; a message edited once has none', () => {
    const spacing = minSpacingPerKey([
      { key: 'm1', atMs: 0 },
      { key: 'm1', atMs: 5000 },
      { key: 'm1', atMs: 2500 },
      { key: 'm2', atMs: 7 },
    ]);
    expect([...spacing]).toEqual([['m1', 2500]]);
  });

  it('medians of odd and even samples, and an empty sample', () => {
    expect(summarize([3, 1, 2]).median).toBe(2);
    expect(summarize([4, 1, 2, 3]).median).toBe(2.5);
    expect(summarize([]).n).toBe(0);
  });
});
