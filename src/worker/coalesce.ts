import type { JobProgress } from '../queue/schemas.ts';

/**
 * About one progress report per interval per job, latest wins. `close()` drops any
 * pending report and waits for one in flight, so the terminal report that follows
 * (delivered, failed, cancelled) is never overtaken by a stale progress call.
 */
export type ProgressCoalescer = {
  push(progress: JobProgress): void;
  /** Send what is pending now (e.g. before a slow step) and wait for it. */
  flush(): Promise<void>;
  close(): Promise<void>;
};

export type CoalesceOptions = {
  /** Minimum ms between two reports; default 1000. */
  intervalMs?: number;
  onError?: (error: unknown) => void;
};

export function createProgressCoalescer(send: (progress: JobProgress) => Promise<void>, options: CoalesceOptions = {}): ProgressCoalescer {
  const intervalMs = options.intervalMs ?? 1000;
  let pending: JobProgress | undefined;
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastSentAt = 0;
  let closed = false;

  const sendNow = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const progress = pending;
    pending = undefined;
    if (!progress || closed) return inFlight ?? Promise.resolve();
    lastSentAt = Date.now();
    const previous = inFlight ?? Promise.resolve();
    // Reports go out one after another, never two at once.
    const current = previous
      .then(() => send(progress))
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        if (inFlight === current) inFlight = undefined;
      });
    inFlight = current;
    return current;
  };

  return {
    push(progress) {
      if (closed) return;
      pending = progress;
      if (timer) return;
      const wait = Math.max(0, lastSentAt + intervalMs - Date.now());
      if (wait === 0 && !inFlight) void sendNow();
      else timer = setTimeout(() => void sendNow(), Math.max(wait, inFlight ? 50 : 0));
    },
    flush: () => sendNow(),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = undefined;
      await inFlight;
    },
  };
}
