import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { startPrivateRedis, type PrivateRedis } from './privateRedis.ts';

/**
 * vitest globalSetup: when nothing answers on REDIS_URL (default 127.0.0.1:6379) but
 * `redis-server` is installed, start a private one for the run and point REDIS_URL at it
 * (test workers and the processes tests spawn inherit it). So `npm test` works on a fresh
 * machine with redis-server installed and not running.
 */

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function answers(target: string): Promise<boolean> {
  const redis = new Redis(target, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function installed(binary: string): boolean {
  try {
    execFileSync(binary, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let own: PrivateRedis | undefined;

export async function setup(): Promise<void> {
  if (await answers(url)) return;
  if (!installed('redis-server')) {
    throw new Error(`Nothing answers on ${url.replace(/\/\/[^@]*@/, '//***@')} and redis-server is not installed: apt-get install redis-server (or set REDIS_URL)`);
  }
  own = await startPrivateRedis();
  process.env.REDIS_URL = own.url;
  process.stderr.write(`Nothing answered on ${url}; the tests use a private redis-server on ${own.url}\n`);
}

export async function teardown(): Promise<void> {
  await own?.stop();
}
