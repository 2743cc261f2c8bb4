import { createHash } from 'node:crypto';
import type { BucketLimit } from './state.ts';

/**
 * Discord-style rate-limit buckets, keyed exactly as discord.js keys its queues
 * (method + route with ids masked, per major parameter: channel id or webhook
 * id/token), so a client that honours the headers never sees a 429. Windows run in
 * real time: discord.js waits for them in real time.
 */

export type BucketClass = 'webhook' | 'channel' | 'other';
export type ForcedRoute = BucketClass | 'all';

export type RateLimitVerdict = {
  headers: Record<string, string>;
  /** Set when the request is refused with a 429. */
  retryAfterMs?: number;
  global?: boolean;
};

type Window = { startedAt: number; count: number };
type Storm = { route: ForcedRoute; remaining: number; retryAfterMs: number; global: boolean };

export type RateLimiter = {
  check(bucket: { bucketClass: BucketClass; bucketRoute: string; major: string }, enabled: boolean): RateLimitVerdict;
  /** The next `count` matching requests get a 429 whatever their bucket says. */
  forceStorm(storm: { route?: ForcedRoute; count: number; retryAfterMs: number; global?: boolean }): void;
  /** Every 429 served so far. */
  readonly served429: number;
};

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

export function createRateLimiter(limits: Record<BucketClass, BucketLimit>): RateLimiter {
  const windows = new Map<string, Window>();
  const storms: Storm[] = [];
  let served429 = 0;

  const refuse = (headers: Record<string, string>, retryAfterMs: number, global: boolean): RateLimitVerdict => {
    served429 += 1;
    headers['retry-after'] = seconds(retryAfterMs);
    headers['x-ratelimit-scope'] = global ? 'global' : 'user';
    if (global) headers['x-ratelimit-global'] = 'true';
    return { headers, retryAfterMs, global };
  };

  return {
    get served429() {
      return served429;
    },
    forceStorm({ route = 'all', count, retryAfterMs, global = false }) {
      storms.push({ route, remaining: count, retryAfterMs, global });
    },
    check({ bucketClass, bucketRoute, major }, enabled) {
      const now = Date.now();
      const { limit, windowMs } = limits[bucketClass];
      const key = `${bucketRoute}:${major}`;
      let window = windows.get(key);
      if (!window || now >= window.startedAt + windowMs) {
        window = { startedAt: now, count: 0 };
        windows.set(key, window);
      }
      const resetAt = window.startedAt + windowMs;
      const headers: Record<string, string> = {
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-reset': seconds(resetAt),
        'x-ratelimit-reset-after': seconds(resetAt - now),
        'x-ratelimit-bucket': createHash('sha1').update(bucketRoute).digest('hex').slice(0, 32),
      };
      const storm = storms.find((candidate) => candidate.remaining > 0 && (candidate.route === 'all' || candidate.route === bucketClass));
      if (storm) {
        storm.remaining -= 1;
        headers['x-ratelimit-remaining'] = '0';
        headers['x-ratelimit-reset-after'] = seconds(storm.retryAfterMs);
        return refuse(headers, storm.retryAfterMs, storm.global);
      }
      if (!enabled) {
        headers['x-ratelimit-remaining'] = String(limit);
        return { headers };
      }
      if (window.count >= limit) {
        headers['x-ratelimit-remaining'] = '0';
        return refuse(headers, resetAt - now, false);
      }
      window.count += 1;
      headers['x-ratelimit-remaining'] = String(limit - window.count);
      return { headers };
    },
  };
}

/** discord.js's own route generalisation (`REST.generateRouteData`), so buckets line up with its queues. */
export function routeData(method: string, rawPath: string): { bucketRoute: string; major: string } {
  if (rawPath.startsWith('/interactions/') && rawPath.endsWith('/callback')) return { bucketRoute: `${method}:/interactions/:id/:token/callback`, major: 'burst' };
  const majorMatch = /(?:^\/webhooks\/(\d{17,19}\/[^/?]+))|(?:^\/(?:channels|guilds|webhooks)\/(\d{17,19}))/.exec(rawPath);
  const major = majorMatch?.[2] ?? majorMatch?.[1] ?? 'global';
  const route = rawPath
    .replaceAll(/\d{17,19}/g, ':id')
    .replace(/\/reactions\/(.*)/, '/reactions/:reaction')
    .replace(/\/webhooks\/:id\/[^/?]+/, '/webhooks/:id/:token');
  return { bucketRoute: `${method}:${route}`, major };
}
