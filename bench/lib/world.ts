import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { parseConfig, type Config } from '../../src/config.ts';
import { createLogger, silentLogger, type Logger } from '../../src/log.ts';
import { createJobId, createQueueContext, enqueueJob, type DiscordTarget, type JobData, type QueueContext } from '../../src/queue/index.ts';
import { normalizeImage, saveJobImage } from '../../src/media/index.ts';

/**
 * A benchmark's private corner of the machine: a unique QUEUE_PREFIX on the shared
 * Redis, a temporary DATA_DIR, a Config like production's; `close()` removes every key
 * and file it made. BENCH_LOG=debug shows the bot's and worker's logs.
 */

export const benchLogger: Logger = process.env.BENCH_LOG ? createLogger({ level: process.env.BENCH_LOG, format: 'json' }) : silentLogger;

export type Corner = {
  prefix: string;
  dataDir: string;
  config: Config;
  /** The queue context the bench itself enqueues through. */
  queue: QueueContext;
  close(): Promise<void>;
};

export async function openCorner(env: Record<string, string> = {}): Promise<Corner> {
  const prefix = `oelala-bench-${randomUUID().slice(0, 8)}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'oelala-bench-'));
  const config = benchConfig({ QUEUE_PREFIX: prefix, DATA_DIR: dataDir, ...env });
  const queue = createQueueContext({ redisUrl: config.REDIS_URL, prefix, logger: benchLogger });
  return {
    prefix,
    dataDir,
    config,
    queue,
    async close() {
      await queue.close();
      await dropPrefix(config.REDIS_URL, prefix);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function benchConfig(env: Record<string, string>): Config {
  const parsed = parseConfig({
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    PRESET_DIR: resolve('presets'),
    WORKFLOW_DIR: resolve('workflows'),
    LOG_LEVEL: 'silent',
    FFMPEG_PATH: process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg',
    ...env,
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.config;
}

/** Delete every key under `prefix:` (SCAN, not KEYS, so a big run does not stall the shared Redis). */
export async function dropPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

export type BenchJob = { jobId: string; data: JobData };

/** Shape of the bench's jobs: small and short so the simulator's own ffmpeg stays cheap; seeds differ so nothing is cached. */
export const benchJobOptions = { prompt: 'a lighthouse in a storm, waves crash', preset: 'fast', frames: 17, width: 320, height: 192 } as const;

/** Normalize and store an input image the way the bot's /i2v does, and build the job's data. */
export async function storeJob(corner: Corner, image: Buffer, extra: { seed: number; userId?: string; discord?: DiscordTarget; options?: Partial<JobData['options']> }): Promise<BenchJob> {
  const jobId = createJobId();
  const normalized = await normalizeImage(image, { maxPixels: corner.config.MAX_INPUT_PIXELS });
  const path = await saveJobImage(corner.dataDir, jobId, normalized.png);
  const data: JobData = {
    v: 1,
    kind: 'i2v',
    options: { ...benchJobOptions, aspect: 'auto', seed: extra.seed, ...extra.options },
    input: { path, width: normalized.width, height: normalized.height },
    sizeLimit: 10 * 1024 * 1024,
    requester: { userId: extra.userId ?? '100000000000000001', name: 'bench' },
    ...(extra.discord ? { discord: extra.discord } : {}),
    createdAt: Date.now(),
  };
  return { jobId, data };
}

export async function enqueue(corner: Corner, job: BenchJob): Promise<void> {
  await enqueueJob(corner.queue, job.data, { jobId: job.jobId, attempts: 1 });
}

export { promptIdFor } from '../../src/worker/promptId.ts';
