import { Redis } from 'ioredis';
import type { Logger } from '../log.ts';

/**
 * One ioredis connection as BullMQ wants it: `maxRetriesPerRequest: null` so
 * blocking commands survive a blink, and a capped reconnect backoff so a restarted
 * Redis is found again within two seconds.
 */
export function createRedisConnection(redisUrl: string, options: { logger: Logger; name: string }): Redis {
  const redis = new Redis(redisUrl, {
    maxRetriesPerRequest: null,
    connectionName: options.name,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    // A failover leaves clients on a read-only replica; reconnecting finds the new primary.
    reconnectOnError: (error) => error.message.startsWith('READONLY'),
  });
  // Without a listener ioredis prints every reconnect error; log once per state instead.
  let lastError = '';
  redis.on('error', (error: Error) => {
    if (error.message === lastError) return;
    lastError = error.message;
    options.logger.warn({ err: error, connection: options.name }, 'redis connection error');
  });
  redis.on('ready', () => {
    lastError = '';
  });
  return redis;
}
