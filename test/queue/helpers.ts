import { randomBytes } from 'node:crypto';
import { createQueueContext, type JobDefaults, type QueueContext } from '../../src/queue/index.ts';

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
