import { request, type Dispatcher } from 'undici';
import { isUserError } from '../errors.ts';
import { checkAttachmentUrl } from './attachmentHosts.ts';
import { refuse } from './refusals.ts';

export type DownloadOptions = {
  /** Hostnames (any port) or host:port entries we may fetch from; see attachmentHosts.ts. */
  allowedHosts: readonly string[];
  /** Largest body we accept, checked against Content-Length first and then counted while streaming. */
  maxBytes: number;
  /** Whole download (all redirects, headers and body) must finish within this. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** For tests and proxies; default undici's global dispatcher. */
  dispatcher?: Dispatcher | undefined;
};

/**
 * Same-host redirects we follow (a CDN may bounce between paths); a redirect to any
 * other host is refused, so an attachment URL can never walk us into the network.
 */
export const MAX_REDIRECTS = 3;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Download a member's attachment into memory, refusing with a UserError (codes in
 * refusals.ts) what we should not fetch or keep. Cancellation through `signal` rejects
 * with the signal's reason, not a UserError: nobody did anything wrong.
 */
export async function downloadAttachment(rawUrl: string, options: DownloadOptions): Promise<Buffer> {
  const { allowedHosts, maxBytes, timeoutMs, signal, dispatcher } = options;
  signal?.throwIfAborted();
  const deadline = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;

  const checked = checkAttachmentUrl(rawUrl, allowedHosts);
  if (!checked.ok) throw checked.error;
  let url = checked.value;

  try {
    for (let redirects = 0; ; redirects++) {
      const response = await request(url, { method: 'GET', signal: combined, dispatcher, headers: { accept: 'image/*' } });
      const { statusCode, headers, body } = response;

      if (REDIRECT_STATUSES.has(statusCode)) {
        discard(body);
        const location = headers.location;
        const target = typeof location === 'string' ? new URL(location, url) : undefined;
        if (!target || redirects >= MAX_REDIRECTS) throw refuse.fetch('too many redirects');
        const next = checkAttachmentUrl(target.href, allowedHosts);
        if (!next.ok || next.value.host !== url.host) throw refuse.host();
        url = next.value;
        continue;
      }
      if (statusCode < 200 || statusCode > 299) {
        discard(body);
        throw refuse.fetch(statusCode === 404 || statusCode === 403 ? 'the link has expired' : `HTTP ${statusCode}`);
      }

      const declared = Number(headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        discard(body);
        throw refuse.tooLarge(maxBytes);
      }
      return await readCapped(body, maxBytes);
    }
  } catch (error) {
    if (isUserError(error)) throw error;
    if (signal?.aborted) throw signal.reason;
    if (deadline.aborted) throw refuse.timeout(error);
    throw refuse.fetch('network error', error);
  }
}

/** Collect a body, stopping as soon as it passes the cap (a lying or absent Content-Length). */
async function readCapped(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const piece = chunk as Buffer;
    total += piece.length;
    if (total > maxBytes) {
      discard(body);
      throw refuse.tooLarge(maxBytes);
    }
    chunks.push(piece);
  }
  return Buffer.concat(chunks, total);
}

/** Drop a body we will not read; undici reports the abort as an error nobody needs to hear. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}
