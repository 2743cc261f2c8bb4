import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import { ComfyHttpError, ComfyValidationError } from './errors.ts';
import { withTitles, type ApiGraph } from './graph.ts';
import { drain, readJson, readText, resolveUrl, send, type HttpTransport } from './http.ts';
import {
  featuresSchema,
  historyResponseSchema,
  objectInfoSchema,
  queueResponseSchema,
  stringListSchema,
  submitResponseSchema,
  systemStatsSchema,
  uploadResponseSchema,
  type HistoryEntry,
  type ObjectInfo,
  type QueueState,
  type ServerFeatures,
  type SystemStats,
} from './schemas.ts';
import { parseValidationBody } from './validation.ts';

export type ComfyClientOptions = {
  /** e.g. `http://127.0.0.1:8188`; may carry a reverse-proxy path. */
  baseUrl: string;
  /** Sent with every prompt so its events reach our socket; default a fresh uuid. Use the socket's id. */
  clientId?: string;
  /** Inactivity limit per request (headers, then between body chunks); default 30 s. */
  timeoutMs?: number;
  /** Default: silent. */
  logger?: Logger;
  /** undici dispatcher (an Agent, a MockAgent in tests); default undici's global one. */
  dispatcher?: Dispatcher;
};

const defaults = { timeoutMs: 30_000 } as const satisfies Partial<ComfyClientOptions>;

export type SubmitRequest = {
  prompt: ApiGraph;
  /** Our id for the prompt (the job id + attempt): makes resubmission after a crash detectable. */
  promptId: string;
  /** Jump ahead of pending prompts. */
  front?: boolean;
  extraData?: Record<string, unknown>;
};

export type ViewFile = { filename: string; subfolder?: string | undefined; type?: 'output' | 'temp' | 'input' | undefined };
export type ViewResult = { stream: Readable; contentType: string; contentLength?: number | undefined };
export type UploadRequest = { data: Buffer; filename: string; subfolder?: string; overwrite?: boolean; type?: 'input' | 'temp' };

export type ComfyClient = {
  readonly baseUrl: string;
  readonly clientId: string;
  submitPrompt(request: SubmitRequest, signal?: AbortSignal): Promise<{ promptId: string; number: number }>;
  getQueue(signal?: AbortSignal): Promise<QueueState>;
  deleteQueued(promptIds: string[], signal?: AbortSignal): Promise<void>;
  clearQueue(signal?: AbortSignal): Promise<void>;
  /** With a prompt id only that prompt is interrupted (a no-op when it is not running, on 0.3.57+). */
  interrupt(promptId?: string, signal?: AbortSignal): Promise<void>;
  getHistory(promptId: string, signal?: AbortSignal): Promise<HistoryEntry | undefined>;
  /** The last `maxItems` entries, oldest first. */
  listHistory(options?: { maxItems?: number; offset?: number }, signal?: AbortSignal): Promise<Map<string, HistoryEntry>>;
  deleteHistory(promptIds: string[], signal?: AbortSignal): Promise<void>;
  view(file: ViewFile, signal?: AbortSignal): Promise<ViewResult>;
  uploadImage(upload: UploadRequest, signal?: AbortSignal): Promise<{ name: string; subfolder: string; type: string }>;
  systemStats(signal?: AbortSignal): Promise<SystemStats>;
  objectInfo(nodeClass?: string, signal?: AbortSignal): Promise<ObjectInfo>;
  /** Folder names without an argument, file names in a folder with one; an unknown folder is ComfyHttpError[404]. */
  models(folder?: string, signal?: AbortSignal): Promise<string[]>;
  free(options: { unloadModels?: boolean; freeMemory?: boolean }, signal?: AbortSignal): Promise<void>;
  /** `undefined` on servers older than 0.3.45 (their 404 makes this a cheap version probe). */
  features(signal?: AbortSignal): Promise<ServerFeatures | undefined>;
};

export function createComfyClient(options: ComfyClientOptions): ComfyClient {
  const transport: HttpTransport = { baseUrl: options.baseUrl, timeoutMs: options.timeoutMs ?? defaults.timeoutMs, dispatcher: options.dispatcher };
  const clientId = options.clientId ?? randomUUID();
  const log = (options.logger ?? silentLogger).child({ comfy: options.baseUrl });
  const where = (method: string, path: string) => ({ method, url: resolveUrl(transport.baseUrl, path).toString() });

  async function getJson<S extends z.ZodType>(path: string, schema: S, signal?: AbortSignal, query?: Record<string, string | number | undefined>) {
    const response = await send(transport, 'GET', path, { signal, query });
    return readJson(response, schema, where('GET', path), signal);
  }

  async function postEmpty(path: string, json: unknown, signal?: AbortSignal): Promise<void> {
    await drain(await send(transport, 'POST', path, { json, signal }));
  }

  return {
    baseUrl: options.baseUrl,
    clientId,

    async submitPrompt(request, signal) {
      const prompt = withTitles(request.prompt);
      const body: Record<string, unknown> = { prompt, prompt_id: request.promptId, client_id: clientId };
      if (request.front) body['front'] = true;
      if (request.extraData) body['extra_data'] = request.extraData;
      // A refusal's body lists every combo's choices and easily passes the 2 KB kept on errors: parse it whole.
      const response = await send(transport, 'POST', 'prompt', { json: body, signal, accept: [400] });
      if (response.status === 400) {
        const context = where('POST', 'prompt');
        const text = await readText(response.body, context, signal);
        const { errorType, problems } = parseValidationBody(text, prompt);
        log.warn({ promptId: request.promptId, errorType, problems: problems.map((p) => p.message) }, 'prompt refused');
        throw new ComfyValidationError({ ...context, body: text }, errorType, problems);
      }
      const answer = await readJson(response, submitResponseSchema, where('POST', 'prompt'), signal);
      log.debug({ promptId: answer.prompt_id, number: answer.number }, 'prompt queued');
      return { promptId: answer.prompt_id, number: answer.number };
    },

    getQueue: (signal) => getJson('queue', queueResponseSchema, signal),
    deleteQueued: (promptIds, signal) => postEmpty('queue', { delete: promptIds }, signal),
    clearQueue: (signal) => postEmpty('queue', { clear: true }, signal),
    interrupt: (promptId, signal) => postEmpty('interrupt', promptId === undefined ? {} : { prompt_id: promptId }, signal),

    async getHistory(promptId, signal) {
      // Unknown, pending and still-running prompts all answer `{}`.
      const history = await getJson(`history/${encodeURIComponent(promptId)}`, historyResponseSchema, signal);
      return history[promptId];
    },

    async listHistory(listOptions = {}, signal) {
      const history = await getJson('history', historyResponseSchema, signal, { max_items: listOptions.maxItems, offset: listOptions.offset });
      return new Map(Object.entries(history));
    },

    deleteHistory: (promptIds, signal) => postEmpty('history', { delete: promptIds }, signal),

    async view(file, signal) {
      const query = { filename: file.filename, subfolder: file.subfolder ?? '', type: file.type ?? 'output' };
      const response = await send(transport, 'GET', 'view', { query, signal });
      const type = response.headers['content-type'];
      const length = Number(response.headers['content-length']);
      return {
        stream: response.body,
        contentType: (Array.isArray(type) ? type[0] : type) ?? 'application/octet-stream',
        contentLength: Number.isFinite(length) && response.headers['content-length'] !== undefined ? length : undefined,
      };
    },

    async uploadImage(upload, signal) {
      const form = new FormData();
      form.set('image', new Blob([new Uint8Array(upload.data)]), upload.filename);
      if (upload.subfolder) form.set('subfolder', upload.subfolder);
      if (upload.overwrite) form.set('overwrite', 'true');
      form.set('type', upload.type ?? 'input');
      const response = await send(transport, 'POST', 'upload/image', { form, signal });
      return readJson(response, uploadResponseSchema, where('POST', 'upload/image'), signal);
    },

    systemStats: (signal) => getJson('system_stats', systemStatsSchema, signal),
    objectInfo: (nodeClass, signal) =>
      getJson(nodeClass === undefined ? 'object_info' : `object_info/${encodeURIComponent(nodeClass)}`, objectInfoSchema, signal),
    models: (folder, signal) => getJson(folder === undefined ? 'models' : `models/${encodeURIComponent(folder)}`, stringListSchema, signal),

    free: (freeOptions, signal) =>
      postEmpty('free', { unload_models: freeOptions.unloadModels ?? false, free_memory: freeOptions.freeMemory ?? false }, signal),

    async features(signal) {
      try {
        return await getJson('features', featuresSchema, signal);
      } catch (error) {
        if (error instanceof ComfyHttpError && error.status === 404) return undefined;
        throw error;
      }
    },
  };
}
