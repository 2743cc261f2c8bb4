import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Config } from '../config.ts';

/**
 * Signed, expiring links to finished videos too large to post (`PUBLIC_BASE_URL`), served by
 * the health server: `<base>/videos/<jobId>/<file>?expires=<unix s>&sig=<hmac>`. The
 * signature (HMAC-SHA256 over path and expiry with a 32-byte secret) is what makes a link
 * unguessable; a bad one, an expired one, or a path leaving `DATA_DIR/outputs` reads as 404.
 */

export type VideoLinks = {
  /** A link to `file` (under `DATA_DIR/outputs`) valid for the configured time, or undefined outside outputs. */
  sign(file: string, now?: number): { url: string; expiresAt: number } | undefined;
  /** The file a request path + query names, when signed, unexpired and inside outputs; else undefined. */
  resolve(pathname: string, query: URLSearchParams, now?: number): string | undefined;
};

export type VideoLinkOptions = { publicBaseUrl: string; dataDir: string; secret: Buffer | string; ttlMs: number };

const PREFIX = '/videos/';
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function createVideoLinks(options: VideoLinkOptions): VideoLinks {
  const outputs = resolve(options.dataDir, 'outputs');
  const base = options.publicBaseUrl.replace(/\/+$/, '');
  const mac = (path: string, expires: number) => createHmac('sha256', options.secret).update(`${path}\n${expires}`).digest('base64url');

  return {
    sign(file, now = Date.now()) {
      const inside = relative(outputs, resolve(file));
      if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return undefined;
      const segments = inside.split(sep);
      if (!segments.every((segment) => SEGMENT.test(segment) && !segment.includes('..'))) return undefined;
      const path = segments.map(encodeURIComponent).join('/');
      const expiresAt = Math.floor((now + options.ttlMs) / 1000);
      return { url: `${base}${PREFIX}${path}?expires=${expiresAt}&sig=${mac(path, expiresAt)}`, expiresAt: expiresAt * 1000 };
    },
    resolve(pathname, query, now = Date.now()) {
      if (!pathname.startsWith(PREFIX)) return undefined;
      const path = pathname.slice(PREFIX.length);
      const segments = path.split('/');
      // Checked on the raw path before anything decodes it: no `..`, no encoded separators, no empty parts.
      if (segments.length < 2 || !segments.every((segment) => SEGMENT.test(segment) && !segment.includes('..'))) return undefined;
      const expires = Number(query.get('expires'));
      const sig = query.get('sig') ?? '';
      if (!Number.isSafeInteger(expires) || expires * 1000 <= now) return undefined;
      const expected = Buffer.from(mac(path, expires));
      const given = Buffer.from(sig);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      const file = resolve(outputs, ...segments);
      return file.startsWith(outputs + sep) ? file : undefined;
    },
  };
}

/**
 * The signing secret: LINK_SECRET, or one generated once and kept in `DATA_DIR/.link-secret`
 * (mode 600), so links survive a restart and processes sharing DATA_DIR agree.
 */
export function linkSecret(configured: string | undefined, dataDir: string): Buffer | string {
  if (configured) return configured;
  const path = join(dataDir, '.link-secret');
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32);
  try {
    writeFileSync(path, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    // Another process wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(path);
    throw error;
  }
}

/** The signer of video links, when PUBLIC_BASE_URL is set (the worker signs, the health server checks). */
export function videoLinksFromConfig(config: Config): VideoLinks | undefined {
  if (!config.PUBLIC_BASE_URL) return undefined;
  return createVideoLinks({ publicBaseUrl: config.PUBLIC_BASE_URL, dataDir: config.DATA_DIR, secret: linkSecret(config.LINK_SECRET, config.DATA_DIR), ttlMs: config.LINK_TTL });
}
