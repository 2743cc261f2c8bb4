import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.ts';
import { registry } from './metrics.ts';
import type { VideoLinks } from './videoLinks.ts';

/**
 * The opt-in HTTP port (METRICS_PORT, on METRICS_HOST = loopback by default):
 * `/healthz` the process is alive; `/readyz` it can do its work (see `ReadinessCheck`);
 * `/metrics` Prometheus text; `/videos/…` signed links to videos too large to post.
 * Everything else, and every refused link, is a bare 404.
 */

/** One named condition of readiness; `ok: false` makes /readyz answer 503. */
export type ReadinessCheck = { name: string; check: () => Promise<{ ok: boolean; detail?: string }> };

export type HealthServerOptions = {
  host: string;
  port: number;
  logger: Logger;
  /** Read at every /readyz, so checks added after start count. */
  readiness: () => ReadinessCheck[];
  videoLinks?: VideoLinks | undefined;
};

export type HealthServer = { url: string; port: number; close(): Promise<void> };

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

const CHECK_TIMEOUT_MS = 2_000;

async function runCheck(check: ReadinessCheck): Promise<{ name: string; ok: boolean; detail?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: false; detail: string }>((resolve) => (timer = setTimeout(() => resolve({ ok: false, detail: 'no answer within 2 s' }), CHECK_TIMEOUT_MS)));
  try {
    return { name: check.name, ...(await Promise.race([check.check(), timeout])) };
  } catch (error) {
    return { name: check.name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(body);
}

/** Pure: one `bytes=` range of a file of `size` bytes; undefined for none (or a form we ignore, as servers may). */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [first, last] = [match[1] ?? '', match[2] ?? ''];
  const start = first === '' ? Math.max(0, size - Number(last)) : Number(first);
  const end = first === '' || last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

const notFound = (response: ServerResponse) => send(response, 404, 'text/plain; charset=utf-8', 'not found\n');

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { logger } = options;
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://health.invalid');
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    switch (url.pathname) {
      case '/healthz':
        return send(response, 200, 'application/json', '{"ok":true}\n');
      case '/readyz': {
        const checks = await Promise.all(options.readiness().map(runCheck));
        const ok = checks.length > 0 && checks.every((check) => check.ok);
        return send(response, ok ? 200 : 503, 'application/json', `${JSON.stringify({ ok, checks })}\n`);
      }
      case '/metrics':
        return send(response, 200, registry.contentType, await registry.metrics());
    }
    const file = options.videoLinks?.resolve(url.pathname, url.searchParams);
    if (!file) return notFound(response);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return notFound(response);
    const headers = { 'content-type': 'video/mp4', 'accept-ranges': 'bytes', 'cache-control': 'private, max-age=3600', 'x-content-type-options': 'nosniff' };
    // Players seek with Range requests (Safari plays nothing without them).
    const range = byteRange(request.headers.range, info.size);
    if (range === 'unsatisfiable') {
      response.writeHead(416, { ...headers, 'content-range': `bytes */${info.size}` });
      return response.end();
    }
    const { start, end } = range ?? { start: 0, end: info.size - 1 };
    response.writeHead(range ? 206 : 200, { ...headers, 'content-length': end - start + 1, ...(range ? { 'content-range': `bytes ${start}-${end}/${info.size}` } : {}) });
    if (request.method === 'HEAD' || info.size === 0) return response.end();
    createReadStream(file, { start, end }).on('error', () => response.destroy()).pipe(response);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.warn({ err: error, path: new URL(request.url ?? '/', 'http://health.invalid').pathname.split('/').slice(0, 2).join('/') }, 'health server request failed');
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new PortInUseError(`METRICS_PORT ${options.port} on ${options.host} is already in use: stop what listens there or set METRICS_PORT to a free port (empty turns the health server off)`, { cause: error }));
      } else if (error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL') {
        reject(new Error(`METRICS_PORT ${options.port} on METRICS_HOST ${options.host} cannot be used (${error.code}): pick a port above 1023 and an address of this host`, { cause: error }));
      } else reject(error);
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  logger.info({ url: `http://${host}:${port}` }, 'health server listening (/healthz, /readyz, /metrics)');
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
