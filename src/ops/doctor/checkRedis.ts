import { Redis } from 'ioredis';
import { fail, ok, printableUrl, warn, type CheckResult } from './report.ts';

/** BullMQ 5+ needs Redis 6.2 or later (it uses commands added then). */
const MIN_VERSION = [6, 2] as const;

/** Redis answers, its version, eviction policy and persistence (DESIGN: AOF on, noeviction). */
export async function checkRedis(url: string): Promise<CheckResult[]> {
  const where = printableUrl(url);
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => {});
  try {
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      return [fail(`Redis at ${where} does not answer (${error instanceof Error ? error.message : String(error)})`, 'start Redis (`sudo systemctl start redis-server`), or set REDIS_URL to where it runs')];
    }
    const results: CheckResult[] = [];
    const info = await redis.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    const [major = 0, minor = 0] = version.split('.').map(Number);
    results.push(major > MIN_VERSION[0] || (major === MIN_VERSION[0] && minor >= MIN_VERSION[1])
      ? ok(`Redis ${version} at ${where} answers`)
      : fail(`Redis ${version} at ${where} is too old for BullMQ`, `upgrade to Redis ${MIN_VERSION.join('.')} or later (Debian 12: \`apt-get install redis-server\` gives 7.0)`));
    const config = async (name: string) => {
      try {
        return ((await redis.call('CONFIG', 'GET', name)) as string[])[1];
      } catch {
        return undefined;
      }
    };
    const policy = await config('maxmemory-policy');
    if (policy === undefined) results.push(warn('Redis does not let us read its CONFIG (a managed Redis?): could not check maxmemory-policy and AOF', 'make sure the server runs with `maxmemory-policy noeviction` and `appendonly yes`'));
    else if (policy === 'noeviction') results.push(ok('Redis maxmemory-policy noeviction'));
    else results.push(fail(`Redis maxmemory-policy is ${policy}: under memory pressure Redis would silently delete queued jobs`, 'redis-cli CONFIG SET maxmemory-policy noeviction && redis-cli CONFIG REWRITE\n(or in redis.conf: maxmemory-policy noeviction)'));
    const aof = await config('appendonly');
    if (aof === 'yes') results.push(ok('Redis AOF is on'));
    else if (aof !== undefined) results.push(warn('Redis AOF is off: a Redis restart loses every queued and running job', 'redis-cli CONFIG SET appendonly yes && redis-cli CONFIG REWRITE\n(or in redis.conf: appendonly yes)'));
    return results;
  } finally {
    redis.disconnect();
  }
}
