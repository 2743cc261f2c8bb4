import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { imageDimensions, sniffContentType } from './media.ts';
import type { State } from './state.ts';
import type { WireAttachment } from './wire.ts';

/**
 * The local CDN: every file the fake hands out or receives lives here, behind signed
 * links (`?ex=&is=&hm=`) that expire like Discord's, so a bot that keeps only the URL
 * of an input image finds it gone a day later (`advanceClock`).
 */

export type CdnFile = {
  filename: string;
  data: Buffer;
  contentType?: string | undefined;
  width?: number;
  height?: number;
  size?: number;
  /** A forged interaction: the attachment claims this URL (any host) instead of the fake's CDN link. */
  url?: string;
};

/** Stores a file and describes it as Discord's attachment object. */
export function storeAttachment(state: State, folder: 'attachments' | 'ephemeral-attachments', scopeId: string, file: CdnFile): WireAttachment {
  const id = state.nextId();
  const filename = cleanFilename(file.filename);
  const path = `/${folder}/${scopeId}/${id}/${filename}`;
  const contentType = file.contentType ?? sniffContentType(file.data, filename);
  state.blobs.set(path, { data: file.data, contentType, filename });
  const url = file.url ?? signedUrl(state, path);
  const attachment: WireAttachment = { id, filename, size: file.size ?? file.data.length, url, proxy_url: url, content_type: contentType };
  const dimensions = file.width !== undefined && file.height !== undefined ? { width: file.width, height: file.height } : imageDimensions(file.data);
  if (dimensions) Object.assign(attachment, dimensions);
  if (folder === 'ephemeral-attachments') attachment.ephemeral = true;
  return attachment;
}

/** Discord's CDN replaces what would break a URL; the fake keeps it readable. */
function cleanFilename(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? 'file';
  return base.replaceAll(/\s+/g, '_').replaceAll(/[^\w.-]/g, '') || 'file';
}

function signature(state: State, path: string, ex: string, is: string): string {
  return createHmac('sha256', state.cdnSecret).update(`${path}|${ex}|${is}`).digest('hex');
}

function signedUrl(state: State, path: string): string {
  const issued = Math.floor(state.clock.now() / 1000);
  const ex = (issued + Math.floor(state.options.cdnLinkLifetimeMs / 1000)).toString(16);
  const is = issued.toString(16);
  return `${state.baseUrl}${encodeURI(path)}?ex=${ex}&is=${is}&hm=${signature(state, path, ex, is)}&`;
}

/** The stored bytes behind an attachment object, URL or CDN path; undefined when unknown. */
export function cdnBytes(state: State, attachment: { url: string } | string): Buffer | undefined {
  const url = new URL(typeof attachment === 'string' ? attachment : attachment.url, state.baseUrl);
  return state.blobs.get(decodeURIComponent(url.pathname))?.data;
}

export function isCdnPath(pathname: string): boolean {
  return pathname.startsWith('/attachments/') || pathname.startsWith('/ephemeral-attachments/');
}

/** Serves a CDN GET/HEAD; returns the status for the request log. */
export function serveCdn(state: State, url: URL, method: string, response: ServerResponse): number {
  const path = decodeURIComponent(url.pathname);
  const blob = state.blobs.get(path);
  const ex = url.searchParams.get('ex') ?? '';
  const is = url.searchParams.get('is') ?? '';
  const hm = url.searchParams.get('hm') ?? '';
  const expected = signature(state, path, ex, is);
  const signed = hm.length === expected.length && timingSafeEqual(Buffer.from(hm), Buffer.from(expected));
  const fresh = Number.parseInt(ex, 16) * 1000 > state.clock.now();
  if (!blob || !signed || !fresh) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    response.end('This content is no longer available.');
    return 404;
  }
  response.writeHead(200, {
    'content-type': blob.contentType,
    'content-length': String(blob.data.length),
    'content-disposition': `attachment; filename="${blob.filename}"`,
    'cache-control': 'public, max-age=31536000',
  });
  response.end(method === 'HEAD' ? undefined : blob.data);
  return 200;
}
