import { fail, ok, type Result } from '../errors.ts';
import { refuse } from './refusals.ts';

/**
 * Which URLs we download from. Pure, so the policy reads as one-liners in tests.
 * An entry is a hostname (`cdn.discordapp.com`: any port) or host:port
 * (`127.0.0.1:4010`: that port only). Matching is exact: no subdomains, no suffixes,
 * so `cdn.discordapp.com.evil.example` never passes for `cdn.discordapp.com`.
 */

type HostEntry = { hostname: string; port: number | undefined };

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

export function parseHostEntry(entry: string): HostEntry | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]\s/]+)(?::(\d{1,5}))?$/i.exec(entry.trim());
  if (!match?.[1]) return undefined;
  return { hostname: match[1].toLowerCase(), port: match[2] === undefined ? undefined : Number(match[2]) };
}

/** Loopback hosts may use plain http, so a test's fake CDN on 127.0.0.1 works. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

export function isHostAllowed(url: URL, allowedHosts: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase();
  const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port);
  return allowedHosts.some((raw) => {
    const entry = parseHostEntry(raw);
    if (!entry || entry.hostname !== hostname) return false;
    return entry.port === undefined || entry.port === port;
  });
}

/** The URL when we may fetch it: https from an allowed host, or http from an allowed loopback host. */
export function checkAttachmentUrl(raw: string, allowedHosts: readonly string[]): Result<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(refuse.host().code, refuse.host().message);
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname.toLowerCase()));
  if (!secure || url.username !== '' || url.password !== '' || !isHostAllowed(url, allowedHosts)) {
    return fail(refuse.host().code, refuse.host().message);
  }
  return ok(url);
}
