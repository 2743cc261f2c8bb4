import { request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { ComfyHttpError, ComfyTransientError, type TransientCode } from './errors.ts';

/**
 * The one place that talks HTTP to ComfyUI (undici `request`): builds URLs under the base
 * (which may carry a reverse-proxy path), never sends an Origin header (ComfyUI answers 403 to a
 * mismatched one), maps network faults and 5xx to ComfyTransientError and other non-2xx to
 * ComfyHttpError. Bodiless 200s are drained, never JSON-parsed.
 */

export type HttpTransport = {
  baseUrl: string;
  /** Inactivity limit for the headers and between body chunks. */
  timeoutMs: number;
  dispatcher?: Dispatcher | undefined;
};

export type SendOptions = {
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  form?: FormData;
  signal?: AbortSignal | undefined;
  /** Non-2xx statuses the caller reads itself (whole body) instead of getting an error with a trimmed one. */
  accept?: readonly number[];
};

export type ComfyResponse = { status: number; headers: Record<string, string | string[] | undefined>; body: Dispatcher.ResponseData['body'] };

export function resolveUrl(baseUrl: string, path: string, query?: SendOptions['query']): URL {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const url = new URL(path.replace(/^\//, ''), base);
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
  return url;
}

/** Send a request; resolves only for 2xx (the body still to be read), throws mapped errors otherwise. */
export async function send(transport: HttpTransport, method: 'GET' | 'POST', path: string, options: SendOptions = {}): Promise<ComfyResponse> {
  const url = resolveUrl(transport.baseUrl, path, options.query);
  const context = { method, url: url.toString() };
  const headers: Record<string, string> = {};
  let body: string | Buffer | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    // Encoded up front with the platform's own Response: undici 7 handed a FormData hangs
    // forever on Node 24 (its Blob stream never ends), and uploads are small images anyway.
    const encoded = new Response(options.form);
    headers['content-type'] = encoded.headers.get('content-type') ?? 'multipart/form-data';
    body = Buffer.from(await encoded.arrayBuffer());
  }
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      method,
      headers,
      body,
      signal: options.signal,
      headersTimeout: transport.timeoutMs,
      bodyTimeout: transport.timeoutMs,
      ...(transport.dispatcher ? { dispatcher: transport.dispatcher } : {}),
    });
  } catch (error) {
    throw mapNetworkError(error, context, options.signal);
  }
  const accepted = (response.statusCode >= 200 && response.statusCode < 300) || options.accept?.includes(response.statusCode) === true;
  if (accepted) return { status: response.statusCode, headers: response.headers, body: response.body };
  const text = await readText(response.body, context, options.signal).catch(() => '');
  if (response.statusCode >= 500) {
    throw new ComfyTransientError('server_error', `${method} ${context.url} answered ${response.statusCode}`, { ...context, status: response.statusCode, body: text });
  }
  throw new ComfyHttpError({ ...context, status: response.statusCode, body: text });
}

/** Read a JSON body and check it with `schema`; an empty or malformed body is a ComfyHttpError. */
export async function readJson<S extends z.ZodType>(response: ComfyResponse, schema: S, context: { method: string; url: string }, signal?: AbortSignal): Promise<z.output<S>> {
  const text = await readText(response.body, context, signal);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ComfyHttpError({ ...context, status: response.status, body: text }, `${context.method} ${context.url}: expected JSON, got ${text.length === 0 ? 'an empty body' : 'something else'}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ComfyHttpError({ ...context, status: response.status, body: text }, `${context.method} ${context.url}: unexpected answer (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  }
  return parsed.data;
}

/** Consume a bodiless success (POST /queue, /interrupt, /free, /history answer 200 with nothing). */
export async function drain(response: ComfyResponse): Promise<void> {
  await response.body.dump();
}

export async function readText(body: ComfyResponse['body'], context: { method: string; url: string }, signal?: AbortSignal): Promise<string> {
  try {
    return await body.text();
  } catch (error) {
    throw mapNetworkError(error, context, signal);
  }
}

const CODE_MAP: Record<string, TransientCode> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
};

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === 'string' && record.code in CODE_MAP) return record.code;
  if (Array.isArray(record.errors) && record.errors.length > 0) return errorCode(record.errors[0]);
  if (record.cause !== undefined) return errorCode(record.cause);
  return typeof record.code === 'string' ? record.code : undefined;
}

/** A caller's abort passes through untouched; every other fault on the wire is worth a retry. */
export function mapNetworkError(error: unknown, context: { method: string; url: string }, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason ?? error;
  if (error instanceof ComfyHttpError || error instanceof ComfyTransientError) return error;
  const code = errorCode(error);
  const transient: TransientCode = (code === undefined ? undefined : CODE_MAP[code]) ?? 'unreachable';
  const words = { refused: 'refused the connection', reset: 'dropped the connection', timeout: 'did not answer in time', unreachable: 'could not be reached' } as const;
  const what = transient in words ? words[transient as keyof typeof words] : 'failed';
  return new ComfyTransientError(transient, `ComfyUI ${what} (${context.method} ${context.url}${code ? `, ${code}` : ''})`, { ...context, cause: error });
}
