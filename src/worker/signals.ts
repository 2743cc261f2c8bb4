import type { Logger } from '../log.ts';
import type { WorkerHandle } from './startWorker.ts';

/**
 * Escalating shutdown for a worker process: the first SIGTERM/SIGINT stops taking
 * jobs and lets running ones finish within the grace period (then hands them back);
 * a second signal hands everything back now. Returns a function that removes the handlers.
 */
export function installShutdownSignals(
  worker: Pick<WorkerHandle, 'shutdown' | 'stopNow'>,
  options: { logger: Logger; exit?: (code: number) => void; target?: NodeJS.Process },
): () => void {
  const target = options.target ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      options.logger.info({ signal }, 'shutting down gracefully; send again to stop now');
      void worker.shutdown().then(() => exit(0), () => exit(1));
    } else {
      options.logger.warn({ signal }, 'stopping now');
      void worker.stopNow().then(() => exit(0), () => exit(1));
    }
  };
  target.on('SIGTERM', onSignal);
  target.on('SIGINT', onSignal);
  return () => {
    target.off('SIGTERM', onSignal);
    target.off('SIGINT', onSignal);
  };
}
