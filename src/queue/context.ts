import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import { createRedisConnection } from './connection.ts';
import { QUEUE_NAME, queueKeys, type QueueKeys } from './keys.ts';
import { type JobData, type JobResult } from './schemas.ts';

/** How new jobs are kept and retried. */
export type JobDefaults = {
  /** Tries for transient faults (ComfyUI down, 5xx, restart); default 5. */
  attempts: number;
  /** First retry delay in ms, doubled each time; default 5000. */
  backoffMs: number;
  /** Seconds finished jobs stay readable (/jobs, 🔁, ⬆️); default 7 days. */
  keepFinishedSeconds: number;
};

export const jobDefaults = {
  attempts: 5,
  backoffMs: 5000,
  keepFinishedSeconds: 7 * 24 * 3600,
} as const satisfies JobDefaults;

export type QueueContextOptions = {
  redisUrl: string;
  /** Key prefix (config QUEUE_PREFIX); tests use a unique one each. */
  prefix: string;
  logger?: Logger;
  jobDefaults?: Partial<JobDefaults>;
};

export type I2vQueue = Queue<JobData, JobResult>;

export type QueueContext = {
  readonly prefix: string;
  readonly redisUrl: string;
  readonly logger: Logger;
  /** The shared command connection (BullMQ's Queue uses it too). */
  readonly redis: Redis;
  readonly queue: I2vQueue;
  readonly keys: QueueKeys;
  readonly jobDefaults: JobDefaults;
  /** A further connection (subscriber, worker), closed with the context. */
  connect(name: string): Redis;
  close(): Promise<void>;
};

export function createQueueContext(options: QueueContextOptions): QueueContext {
  const logger = options.logger ?? silentLogger;
  const extra = new Set<Redis>();
  const connect = (name: string): Redis => {
    const connection = createRedisConnection(options.redisUrl, { logger, name });
    extra.add(connection);
    return connection;
  };
  const redis = createRedisConnection(options.redisUrl, { logger, name: 'oelala-queue' });
  const queue: I2vQueue = new Queue<JobData, JobResult>(QUEUE_NAME, { connection: redis, prefix: options.prefix });
  queue.on('error', (error) => logger.warn({ err: error }, 'queue error'));
  let closing: Promise<void> | undefined;
  return {
    prefix: options.prefix,
    redisUrl: options.redisUrl,
    logger,
    redis,
    queue,
    keys: queueKeys(options.prefix),
    jobDefaults: { ...jobDefaults, ...options.jobDefaults },
    connect,
    close() {
      closing ??= (async () => {
        await queue.close();
        for (const connection of [...extra, redis]) {
          await connection.quit().catch(() => connection.disconnect());
        }
        extra.clear();
      })();
      return closing;
    },
  };
}
