import type { State } from './state.ts';

export type WaitOptions = {
  /** Give up after this long (real time); default 5 s. */
  timeoutMs?: number;
  /** Said in the timeout error, so a failing test explains itself. */
  description?: string;
  signal?: AbortSignal;
};

/**
 * Resolves with the first truthy result of `check`, re-run after every change the
 * fake sees (a request, a message, a gateway event), so tests wait on events, not
 * sleeps. It is also re-run every few milliseconds, because a check may look at the
 * client's side (what the bot received), which changes after the fake's last event.
 */
export function waitFor<T>(state: State, check: () => T | undefined | null | false, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 5_000, description = 'a condition', signal } = options;
  return new Promise<T>((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      clearInterval(poll);
      state.events.off('change', onChange);
      signal?.removeEventListener('abort', onAbort);
    };
    const onChange = () => {
      let result: T | undefined | null | false;
      try {
        result = check();
      } catch (error) {
        stop();
        reject(error as Error);
        return;
      }
      if (result !== undefined && result !== null && result !== false) {
        stop();
        resolve(result);
      }
    };
    const onAbort = () => {
      stop();
      reject(signal?.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`fake-discord: timed out after ${timeoutMs} ms waiting for ${description}`));
    }, timeoutMs);
    const poll = setInterval(onChange, 10);
    state.events.on('change', onChange);
    signal?.addEventListener('abort', onAbort, { once: true });
    onChange();
  });
}
