import type { RequestBody } from './body.ts';
import type { State } from './state.ts';

/** A REST route of the fake: a path pattern (`:name` segments), who may call it, and its handler. */

export type RouteContext = {
  state: State;
  params: Record<string, string>;
  query: URLSearchParams;
  body: RequestBody;
};

export type RouteResult = { status: 200 | 201; json: unknown } | { status: 204 };

export type Route = {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** `bot`: needs `Authorization: Bot <token>`; `none`: interaction and webhook routes, checked by their token. */
  auth: 'bot' | 'none';
  handle(context: RouteContext): RouteResult | Promise<RouteResult>;
};

export const json = (value: unknown): RouteResult => ({ status: 200, json: value });
export const noContent: RouteResult = { status: 204 };

export type RouteMatch = { route: Route; params: Record<string, string> } | { methodNotAllowed: true } | undefined;

/** Matches decoded path segments; literal segments win over `:params` by listing order. */
export function matchRoute(routes: readonly Route[], method: string, segments: string[]): RouteMatch {
  let pathMatched = false;
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = pattern.every((part, index) => {
      const segment = segments[index] ?? '';
      if (part.startsWith(':')) {
        params[part.slice(1)] = segment;
        return true;
      }
      return part === segment;
    });
    if (!fits) continue;
    if (route.method === method) return { route, params };
    pathMatched = true;
  }
  return pathMatched ? { methodNotAllowed: true } : undefined;
}
