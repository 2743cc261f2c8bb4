/**
 * When each waiting job should start, and whether its message is worth an edit. Pure:
 * the refresher feeds it what it read from Redis.
 */

export type Shown = { position: number; total: number; etaAt: number | undefined };

/**
 * Simulate the slots (one per ComfyUI instance): each job starts when the earliest slot
 * frees up. `activeRemainingMs` are the running jobs' remaining times.
 */
export function planWaiting(durationsMs: readonly number[], activeRemainingMs: readonly number[], slots: number, now: number): Shown[] {
  const freeAt = Array.from({ length: Math.max(1, slots) }, (_, i) => Math.max(0, activeRemainingMs[i] ?? 0));
  const total = durationsMs.length;
  return durationsMs.map((duration, index) => {
    let slot = 0;
    for (let i = 1; i < freeAt.length; i++) if (freeAt[i]! < freeAt[slot]!) slot = i;
    const start = freeAt[slot]!;
    freeAt[slot] = start + Math.max(0, duration);
    return { position: index + 1, total, etaAt: now + start };
  });
}

/**
 * Whether a waiting message should be edited from `shown` to `next`. Jobs near the front
 * follow every move; further back only a large change matters, so one dequeue in a
 * queue of fifty costs a handful of edits, not fifty.
 */
export function shouldRefresh(shown: Shown | undefined, next: Shown, now: number): boolean {
  if (!shown) return true;
  if (next.position !== shown.position) {
    if (next.position <= 3) return true;
    const moved = Math.abs(shown.position - next.position);
    if (moved >= Math.max(2, Math.ceil(shown.position * 0.25))) return true;
  }
  if (next.etaAt !== undefined && shown.etaAt !== undefined) {
    const remaining = Math.max(60_000, shown.etaAt - now);
    if (Math.abs(next.etaAt - shown.etaAt) > Math.max(120_000, remaining * 0.3)) return true;
  }
  return false;
}
