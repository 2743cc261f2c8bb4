import { QueueEvents, type Job } from 'bullmq';
import type { Logger } from '../log.ts';
import { estimateDuration, jobDataSchema, jobProgressSchema, QUEUE_NAME, type JobData, type QueueContext } from '../queue/index.ts';
import type { StatusEditor } from '../status/statusEditor.ts';
import { renderWaiting } from '../status/statusMessage.ts';
import { planWaiting, shouldRefresh, type Shown } from './waitingPlan.ts';

/**
 * Keeps waiting jobs' messages showing their place in line (DESIGN invariant 4): on
 * queue events and every so often, read the waiting jobs, plan their ETAs and edit only
 * the messages whose position or ETA changed enough to matter.
 */

export type WaitingRefresherOptions = {
  queue: QueueContext;
  /** ComfyUI instances, i.e. jobs that run at once. */
  slots: number;
  statusEditor: StatusEditor;
  logger: Logger;
  now?: () => number;
  /** Milliseconds between refreshes without queue events (ETAs drift); default 30 000. */
  periodMs?: number;
  /** Listen to queue events (a Redis connection of its own); default true. */
  listen?: boolean;
};

/** A waiting job's duration when nothing is known about it. */
const UNKNOWN_DURATION_MS = 5 * 60_000;

/** Only the front of a long queue is refreshed; further back nothing changes quickly. */
const REFRESH_DEPTH = 200;

export type WaitingRefresher = {
  /** Something changed in the queue: refresh soon (debounced). */
  poke(): void;
  /** Where a new job would stand if enqueued now, for its first message. */
  estimateNext(data: JobData): Promise<Shown>;
  /** Record what a message already shows (the first edit is the bot's, via the interaction). */
  noteShown(messageId: string, shown: Shown): void;
  refresh(): Promise<void>;
  close(): Promise<void>;
};

export function createWaitingRefresher(options: WaitingRefresherOptions): WaitingRefresher {
  const { queue, statusEditor, logger } = options;
  const now = options.now ?? Date.now;
  const shown = new Map<string, Shown>();
  let running: Promise<void> | undefined;
  let dirty = false;
  let debounce: NodeJS.Timeout | undefined;

  const durationOf = async (data: JobData, cache: Map<string, Promise<number>>): Promise<number> => {
    // The parameters were resolved once, when the job was accepted; a job without them
    // (stored before they were) gets the rough guess rather than a second resolution.
    if (!data.params) return UNKNOWN_DURATION_MS;
    const { preset, width, height, frames, steps } = data.params;
    const key = `${preset}|${width}x${height}|${frames}|${steps}`;
    let estimate = cache.get(key);
    if (!estimate) {
      estimate = estimateDuration(queue, { preset, width, height, frames }, { steps, frames, width, height });
      cache.set(key, estimate);
    }
    return estimate;
  };

  const readQueue = async () => {
    const cache = new Map<string, Promise<number>>();
    const [waiting, active] = await Promise.all([
      queue.queue.getJobs(['prioritized', 'waiting'], 0, REFRESH_DEPTH - 1, true) as Promise<Job[]>,
      queue.queue.getJobs(['active']) as Promise<Job[]>,
    ]);
    const jobs = waiting.flatMap((job) => {
      const data = jobDataSchema.safeParse(job.data);
      return data.success && job.id ? [{ id: job.id, data: data.data }] : [];
    });
    const at = now();
    const activeRemaining = await Promise.all(
      active.map(async (job) => {
        const progress = jobProgressSchema.safeParse(job.progress);
        if (progress.success && progress.data.etaAt !== undefined) return Math.max(0, progress.data.etaAt - at);
        const data = jobDataSchema.safeParse(job.data);
        return data.success ? (await durationOf(data.data, cache)) / 2 : 0;
      }),
    );
    const durations = await Promise.all(jobs.map((job) => durationOf(job.data, cache)));
    return { jobs, durations, activeRemaining, at, cache };
  };

  const refreshOnce = async () => {
    const { jobs, durations, activeRemaining, at } = await readQueue();
    const plan = planWaiting(durations, activeRemaining, options.slots, at);
    const present = new Set<string>();
    jobs.forEach((job, index) => {
      const target = job.data.discord;
      const next = plan[index];
      if (!target || !next) return;
      present.add(target.messageId);
      if (!shouldRefresh(shown.get(target.messageId), next, at)) return;
      shown.set(target.messageId, next);
      statusEditor.show(target, renderWaiting({ jobId: job.id, data: job.data, ...next }), next.position);
    });
    for (const messageId of shown.keys()) if (!present.has(messageId)) shown.delete(messageId);
  };

  const refresh = async (): Promise<void> => {
    if (running) {
      dirty = true;
      return running;
    }
    running = (async () => {
      do {
        dirty = false;
        await refreshOnce().catch((error: unknown) => logger.warn({ err: error }, 'could not refresh waiting messages'));
      } while (dirty);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  const poke = () => {
    if (debounce) return;
    debounce = setTimeout(() => {
      debounce = undefined;
      void refresh();
    }, 200);
    debounce.unref();
  };

  const period = setInterval(poke, options.periodMs ?? 30_000);
  period.unref();

  let events: QueueEvents | undefined;
  if (options.listen ?? true) {
    events = new QueueEvents(QUEUE_NAME, { connection: queue.connect('oelala-bot-queue-events'), prefix: queue.prefix });
    events.on('error', (error) => logger.warn({ err: error }, 'queue events error'));
    for (const name of ['waiting', 'active', 'completed', 'failed', 'removed'] as const) events.on(name, poke);
  }

  return {
    poke,
    async estimateNext(data) {
      const { durations, activeRemaining, at, cache } = await readQueue();
      const plan = planWaiting([...durations, await durationOf(data, cache)], activeRemaining, options.slots, at);
      return plan.at(-1) ?? { position: 1, total: 1, etaAt: undefined };
    },
    noteShown: (messageId, next) => shown.set(messageId, next),
    refresh,
    async close() {
      clearInterval(period);
      if (debounce) clearTimeout(debounce);
      await running;
      await events?.close();
    },
  };
}
