/**
 * The simulator stamps its timeline with the performance clock (timeOrigin + now);
 * the fake Discord and Redis records use Date.now(). Both live in this process, so one
 * offset measured here lines them up to well under a millisecond.
 */
export const perfNow = (): number => performance.timeOrigin + performance.now();

/** Date.now()-based ms → performance-clock ms. */
export function dateToPerf(dateMs: number): number {
  return dateMs - (Date.now() - perfNow());
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `check` every `everyMs` until truthy; throws after `timeoutMs` naming `what`. */
export async function until<T>(check: () => T | undefined | false | null | Promise<T | undefined | false | null>, what: string, timeoutMs = 60_000, everyMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
