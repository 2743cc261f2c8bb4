import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, apiErrors } from './api-error.ts';
import { parseBody, readRaw, type RequestBody } from './body.ts';
import { routeData, type BucketClass, type ForcedRoute, type RateLimiter } from './rate-limits.ts';
import { matchRoute, type Route } from './router.ts';
import { changed, type State } from './state.ts';

/** One request as the fake saw it, for tests and the bench to assert on. */
export type LoggedRequest = {
  method: string;
  /** Decoded path after `/api/v10` (`/webhooks/1/abc/messages/@original`), or the CDN path. */
  path: string;
  /** The path as sent (`%40original`). */
  rawPath: string;
  query: string;
  /** discord.js's bucket route (`PATCH:/webhooks/:id/:token/messages/%40original`); 'cdn' for CDN files. */
  route: string;
  /** The bucket's major parameter (channel id, webhook id/token), 'global' or 'burst'. */
  major: string;
  status: number;
  /** Discord's JSON error code, when the answer was an error. */
  code?: number;
  /** Fake-clock time the request arrived. */
  atMs: number;
  multipart: boolean;
  auth: 'bot' | 'none' | 'invalid';
  kind: 'api' | 'cdn';
};

export type Fault = { route: ForcedRoute; remaining: number; status: number };

/** A request applied as usual whose answer waits until released: "Discord accepted it, the client has not heard yet". */
export type Hold = { match: (request: LoggedRequest) => boolean; remaining: number; reached: (request: LoggedRequest) => void; released: Promise<void> };

export type Rest = {
  handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void>;
};

const emptyBody: RequestBody = { payload: undefined, files: [], multipart: false };

function bucketClassOf(path: string): BucketClass | 'interaction' {
  if (path.startsWith('/interactions/')) return 'interaction';
  if (path.startsWith('/webhooks/')) return 'webhook';
  if (path.startsWith('/channels/')) return 'channel';
  return 'other';
}

export function createRest(state: State, routes: readonly Route[], limiter: RateLimiter, faults: Fault[], log: LoggedRequest[], holds: Hold[] = []): Rest {
  return {
    async handle(request, response, url) {
      const method = request.method ?? 'GET';
      const rawPath = url.pathname.replace(/^\/api\/v10(?=\/)/, '');
      const segments = rawPath.split('/').filter(Boolean).map((segment) => decodeURIComponent(segment));
      const path = `/${segments.join('/')}`;
      const authorization = request.headers.authorization;
      const auth = authorization === undefined ? 'none' : authorization === `Bot ${state.options.token}` ? 'bot' : 'invalid';
      const { bucketRoute, major } = routeData(method, rawPath);
      const entry: LoggedRequest = { method, path, rawPath, query: url.search, route: bucketRoute, major, status: 0, atMs: state.clock.now(), multipart: false, auth, kind: 'api' };
      let headers: Record<string, string> = {};
      let status: number;
      let body: unknown;
      try {
        const raw = await readRaw(request);
        if (!url.pathname.startsWith('/api/v10/')) throw apiErrors.notFound();
        const match = matchRoute(routes, method, segments);
        if (!match) throw apiErrors.notFound();
        if ('methodNotAllowed' in match) throw apiErrors.methodNotAllowed();
        const bucketClass = bucketClassOf(path);
        const fault = faults.find((candidate) => candidate.remaining > 0 && (candidate.route === 'all' || candidate.route === bucketClass));
        if (fault) {
          fault.remaining -= 1;
          throw new ApiError(fault.status, 0, `${fault.status}: Internal Server Error`);
        }
        if (match.route.auth === 'bot' && auth !== 'bot') throw apiErrors.unauthorized();
        if (bucketClass !== 'interaction') {
          const verdict = limiter.check({ bucketClass, bucketRoute, major }, state.rules.rateLimits);
          headers = verdict.headers;
          if (verdict.retryAfterMs !== undefined) {
            throw new ApiError(429, 0, 'You are being rate limited.', { retry_after: verdict.retryAfterMs / 1000, global: verdict.global ?? false });
          }
        }
        const parsed = raw.length > 0 ? await parseBody(raw, request.headers['content-type']) : emptyBody;
        entry.multipart = parsed.multipart;
        const result = await match.route.handle({ state, params: match.params, query: url.searchParams, body: parsed });
        status = result.status;
        body = 'json' in result ? result.json : undefined;
      } catch (error) {
        const apiError = error instanceof ApiError ? error : new ApiError(500, 0, '500: Internal Server Error');
        if (!(error instanceof ApiError)) console.error('fake-discord: handler failed', method, path, error);
        status = apiError.status;
        entry.code = apiError.code;
        body = apiError.status === 429 ? { message: apiError.message, ...apiError.extra } : apiError.body();
      }
      entry.status = status;
      log.push(entry);
      const hold = holds.find((candidate) => candidate.remaining > 0 && candidate.match(entry));
      if (hold) {
        hold.remaining -= 1;
        changed(state);
        hold.reached(entry);
        await hold.released;
        if (response.destroyed) return;
      }
      if (body === undefined) {
        response.writeHead(status, headers);
        response.end();
      } else {
        response.writeHead(status, { ...headers, 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      }
      changed(state);
    },
  };
}
