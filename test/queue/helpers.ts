import { randomBytes } from 'node:crypto';
import { createQueueContext, type JobDefaults, type QueueContext } from '../../src/queue/index.ts';
import type { JobData } from '../../src/queue/schemas.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A queue context under a prefix no other test uses. */
export function createTestQueueContext(jobDefaults: Partial<JobDefaults> = {}): QueueContext {
  const prefix = `test-${randomBytes(5).toString('hex')}`;
  return createQueueContext({ redisUrl: REDIS_URL, prefix, jobDefaults });
}

/** Delete every key under the context's prefix (BullMQ's and ours), then close it. */
export async function destroyTestQueueContext(ctx: QueueContext): Promise<void> {
  await ctx.queue.obliterate({ force: true }).catch(() => {});
  let cursor = '0';
  do {
    const [next, keys] = await ctx.redis.scan(cursor, 'MATCH', `${ctx.prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await ctx.redis.del(...keys);
  } while (cursor !== '0');
  await ctx.close();
}

export function sampleJobData(overrides: Partial<JobData> = {}): JobData {
  return {
    v: 1,
    kind: 'i2v',
    options: { prompt: 'a fox turns its head', preset: 'fast', aspect: 'auto', seed: 42 },
    input: { path: '/tmp/none.png', width: 64, height: 64 },
    sizeLimit: 10 * 1024 * 1024,
    requester: { userId: '100000000000000001', name: 'member' },
    createdAt: Date.now(),
    ...overrides,
  };
}
