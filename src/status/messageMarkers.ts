import type { Redis } from 'ioredis';
import { botKeys } from '../queue/keys.ts';

/**
 * Per-message markers in Redis, so the bot and a worker (possibly other processes) agree
 * on who may still edit a status message: once a final state is out, no progress edit
 * lands after it; once a worker runs the job, the bot stops refreshing its position.
 */

const KEEP_SECONDS = 7 * 24 * 3600;

export async function markFinal(redis: Redis, prefix: string, messageId: string): Promise<void> {
  await redis.set(botKeys(prefix).final(messageId), '1', 'EX', KEEP_SECONDS);
}

export async function markRunning(redis: Redis, prefix: string, messageId: string): Promise<void> {
  await redis.set(botKeys(prefix).running(messageId), '1', 'EX', KEEP_SECONDS);
}

export async function clearMarkers(redis: Redis, prefix: string, messageId: string): Promise<void> {
  const keys = botKeys(prefix);
  await redis.del(keys.final(messageId), keys.running(messageId), keys.landed(messageId));
}

/** Discord accepted a final edit carrying `fileName`: a worker taking the job over must not upload it again. */
export async function markLanded(redis: Redis, prefix: string, messageId: string, fileName: string): Promise<void> {
  await redis.set(botKeys(prefix).landed(messageId), fileName, 'EX', KEEP_SECONDS);
}

export async function landedFile(redis: Redis, prefix: string, messageId: string): Promise<string | undefined> {
  return (await redis.get(botKeys(prefix).landed(messageId))) ?? undefined;
}

export async function isFinal(redis: Redis, prefix: string, messageId: string): Promise<boolean> {
  return (await redis.exists(botKeys(prefix).final(messageId))) === 1;
}

/** True when the message shows a running or final state: a waiting view would be stale. */
export async function isPastWaiting(redis: Redis, prefix: string, messageId: string): Promise<boolean> {
  const keys = botKeys(prefix);
  return (await redis.exists(keys.final(messageId), keys.running(messageId))) > 0;
}
