import { describe, expect, it } from 'vitest';
import { planWaiting, shouldRefresh, type Shown } from '../../src/bot/waitingPlan.ts';

describe('waiting positions and ETAs', () => {
  it('starts each job when the earliest ComfyUI slot frees up', () => {
    const plan = planWaiting([60_000, 60_000, 60_000], [30_000, 90_000], 2, 0);
    expect(plan.map((s) => s.etaAt)).toEqual([30_000, 90_000, 90_000]);
    expect(plan.map((s) => s.position)).toEqual([1, 2, 3]);
  });

  it('edits only a handful of fifty waiting messages when one job leaves the queue', () => {
    const now = 0;
    const before: Shown[] = planWaiting(Array(50).fill(60_000), [60_000], 1, now);
    const after: Shown[] = planWaiting(Array(49).fill(60_000), [60_000], 1, now);
    // Job k moves from position k+1 to k.
    const edits = after.filter((next, i) => shouldRefresh(before[i + 1], next, now)).length;
    expect(edits).toBeLessThanOrEqual(5);
    expect(edits).toBeGreaterThanOrEqual(3);
  });

  it('shows a new message once', () => {
    expect(shouldRefresh(undefined, { position: 9, total: 9, etaAt: 0 }, 0)).toBe(true);
  });

  it('follows a large jump far back in the queue', () => {
    expect(shouldRefresh({ position: 40, total: 40, etaAt: undefined }, { position: 28, total: 40, etaAt: undefined }, 0)).toBe(true);
  });
});
