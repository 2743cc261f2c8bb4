import type { Redis } from 'ioredis';
import { botKeys, countWaitingForUser, type QueueContext } from '../queue/index.ts';
import type { Result } from '../errors.ts';
import { checkUserLimits } from './limitRule.ts';

/** The I/O half of a member's limits: read the facts from Redis, apply the pure rule. */

export type LimitSettings = { maxWaiting: number; cooldownSeconds: number };

export async function checkMemberLimits(queue: QueueContext, userId: string, isAdmin: boolean, settings: LimitSettings): Promise<Result<true>> {
  if (isAdmin) return checkUserLimits({ isAdmin, waitingJobs: 0, maxWaiting: settings.maxWaiting, cooldownLeftMs: 0 });
  const [waitingJobs, cooldownLeftMs] = await Promise.all([
    countWaitingForUser(queue, userId),
    settings.cooldownSeconds > 0 ? queue.redis.pttl(botKeys(queue.prefix).cooldown(userId)) : Promise.resolve(0),
  ]);
  return checkUserLimits({ isAdmin, waitingJobs, maxWaiting: settings.maxWaiting, cooldownLeftMs: Math.max(0, cooldownLeftMs) });
}

export async function startCooldown(redis: Redis, prefix: string, userId: string, seconds: number): Promise<void> {
  if (seconds > 0) await redis.set(botKeys(prefix).cooldown(userId), '1', 'EX', seconds);
}

/** Resolve with the value if it arrives within `ms`, else with undefined (the promise keeps running). */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
