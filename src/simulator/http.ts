import { listModels, MODEL_LISTING_KEYS } from './modelFolders.ts';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildCatalogue, nodeInfo, type CatalogueContext } from './catalogue.ts';
import type { Engine } from './engine.ts';
import { resolveAnnotated, streamFile, uploadImage, view } from './files.ts';
import type { Dirs } from './nodes.ts';
import { sliceHistory } from './queue.ts';
import type { JsonObject, SimulatedVersion, SimulatorKnobs } from './types.ts';
import { validatePrompt } from './validate.ts';

/** The HTTP routes, each also under /api, with the recorded status codes, empty bodies and content types. */
export type HttpDeps = {
  engine: Engine;
  knobs: SimulatorKnobs;
  version: SimulatedVersion;
  dirs: Dirs;
  models: () => Record<string, string[]>;
  devices: string[];
  catalogue: () => CatalogueContext;
  port: () => number;
};

type Reply = { status: number; json?: unknown; text?: string; html?: string };
const json = (body: unknown, status = 200): Reply => ({ status, json: body });
const empty = (status = 200): Reply => ({ status });
const crash: Reply = { status: 500, text: '500 Internal Server Error\n\nServer got itself in trouble' };
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `await request.json()` in aiohttp: anything but JSON is an uncaught exception, a 500. */
function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/** `previews`: started with `--preview-method auto`, as ComfyUI must be to send preview frames. */
export function systemStats(version: SimulatedVersion, devices: string[], port: number, previews = false): JsonObject {
  const gpu = devices.includes('cuda:0');
  const ram = 64 * 1024 ** 3;
  return {
    system: {
      os: version === '0.8.0' ? 'linux' : 'posix',
      ram_total: ram,
      ram_free: Math.floor(ram * 0.8),
      comfyui_version: version,
      required_frontend_version: version === '0.8.0' ? '1.35.9' : '1.27.10',
      installed_templates_version: null,
      required_templates_version: version === '0.8.0' ? '0.7.67' : '0.1.95',
      python_version: '3.11.2 (main, Apr 28 2025, 14:11:48) [GCC 12.2.0]',
      pytorch_version: gpu ? '2.9.1+cu128' : '2.9.1+cpu',
      embedded_python: false,
      argv: ['main.py', '--listen', '127.0.0.1', '--port', String(port), ...(previews ? ['--preview-method', 'auto'] : [])],
    },
    // Only ComfyUI's main torch device is listed, never every GPU.
    devices: [
      gpu
        ? { name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync', type: 'cuda', index: 0, vram_total: 25_386_352_640, vram_free: 24_000_000_000, torch_vram_total: 0, torch_vram_free: 0 }
        : { name: 'cpu', type: 'cpu', index: null, vram_total: ram, vram_free: Math.floor(ram * 0.8), torch_vram_total: ram, torch_vram_free: Math.floor(ram * 0.8) },
    ],
  };
}

const vhsFormats = ['h264-mp4', 'h265-mp4', 'webm', 'ffmpeg-gif'];

async function postPrompt(deps: HttpDeps, body: Buffer): Promise<Reply> {
  if (deps.knobs.failPromptWith500) return crash;
  const parsed = parseJson(body);
  if (!parsed.ok || !isObject(parsed.value)) return crash;
  const data = parsed.value;
  let number: number;
  if ('number' in data) {
    number = Number(data.number);
    if (!Number.isFinite(number)) return crash;
  } else number = deps.engine.nextNumber(Boolean(data.front));
  if (!('prompt' in data)) {
    return json({ error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} }, node_errors: {} }, 400);
  }
  if (!isObject(data.prompt)) return crash;
  const promptId = !deps.knobs.ignoresPromptId && 'prompt_id' in data && data.prompt_id !== null ? String(data.prompt_id) : randomUUID();
  const result = validatePrompt(data.prompt, {
    catalogue: deps.catalogue(),
    unknownNodeErrorStyle: deps.knobs.unknownNodeErrorStyle,
    fileExists: (annotated) => resolveAnnotated(deps.dirs, annotated, 'input') !== undefined,
  });
  if (!result.ok) return json({ error: result.error, node_errors: result.nodeErrors }, 400);
  const extraData: JsonObject = isObject(data.extra_data) ? { ...data.extra_data } : {};
  if ('client_id' in data) extraData.client_id = data.client_id;
  if (deps.version === '0.8.0' && !deps.knobs.oldServer) extraData.create_time = Date.now();
  deps.engine.enqueue({ number, promptId, prompt: result.prompt, extraData, outputs: result.outputs });
  return json({ prompt_id: promptId, number, node_errors: result.nodeErrors });
}

export async function route(deps: HttpDeps, req: IncomingMessage): Promise<Reply | ((res: ServerResponse) => void)> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  const path = url.pathname.startsWith('/api/') ? url.pathname.slice(4) : url.pathname;
  const { engine } = deps;
  const body = method === 'POST' ? await readBody(req) : Buffer.alloc(0);
  const get = method === 'GET' || method === 'HEAD';

  if (get && path === '/') return { status: 200, html: '<!doctype html><title>ComfyUI simulator</title><p>oelala-bot ComfyUI simulator</p>\n' };
  if (get && (path === '/embeddings' || path === '/extensions')) return json([]);
  if (get && path === '/system_stats') return json(systemStats(deps.version, deps.devices, deps.port(), deps.knobs.previews === true));
  if (get && path === '/features') {
    if (deps.knobs.oldServer) return { status: 404, text: '404: Not Found' };
    return json(features(deps.version));
  }
  if (get && path === '/models') return json([...MODEL_LISTING_KEYS, 'VHS_video_formats']);
  if (get && path.startsWith('/models/')) {
    const folder = decodeURIComponent(path.slice('/models/'.length));
    if (folder === 'VHS_video_formats') return json(vhsFormats);
    if (!MODEL_LISTING_KEYS.includes(folder)) return { status: 404, text: '404: Not Found' };
    return json(listModels(deps.models(), folder));
  }
  if (get && path === '/object_info') return json(buildCatalogue(deps.catalogue()));
  if (get && path.startsWith('/object_info/')) {
    const name = decodeURIComponent(path.slice('/object_info/'.length));
    const info = nodeInfo(deps.catalogue(), name);
    return json(info ? { [name]: info } : {});
  }
  if (path === '/prompt') {
    if (get) return json({ exec_info: { queue_remaining: engine.queueRemaining() } });
    if (method === 'POST') return postPrompt(deps, body);
  }
  if (get && path === '/queue') {
    const snapshot = engine.snapshot();
    return json({ queue_running: snapshot.running, queue_pending: snapshot.pending });
  }
  if (method === 'POST' && (path === '/queue' || path === '/history')) {
    const parsed = parseJson(body);
    if (!parsed.ok || !isObject(parsed.value)) return crash;
    const { clear, delete: ids } = parsed.value;
    if (path === '/queue') {
      if (clear) engine.clearPending();
      if (Array.isArray(ids)) engine.deletePending(ids.map(String));
    } else {
      if (clear) engine.history.clear();
      if (Array.isArray(ids)) for (const id of ids) engine.history.delete(String(id));
    }
    return empty();
  }
  if (method === 'POST' && path === '/interrupt') {
    // The one control route that tolerates a missing or broken body.
    const parsed = parseJson(body);
    const promptId = parsed.ok && isObject(parsed.value) ? parsed.value.prompt_id : undefined;
    engine.interrupt(typeof promptId === 'string' ? promptId : undefined);
    return empty();
  }
  if (method === 'POST' && path === '/free') {
    const parsed = parseJson(body);
    if (!parsed.ok || !isObject(parsed.value)) return crash;
    if (parsed.value.free_memory) engine.freeMemory();
    return empty();
  }
  if (get && path === '/history') {
    const max = url.searchParams.get('max_items');
    const offset = url.searchParams.get('offset');
    return json(sliceHistory(engine.history, max === null ? undefined : Number(max), offset === null ? undefined : Number(offset)));
  }
  if (get && path.startsWith('/history/')) {
    const id = decodeURIComponent(path.slice('/history/'.length));
    const entry = engine.history.get(id);
    return json(entry ? { [id]: entry } : {});
  }
  if (get && path === '/view') {
    const result = await view(deps.dirs, url.searchParams, req.headers.range);
    const { file, headers, body: payload, status } = result;
    if (file && headers) return (res) => streamFile(res, status, headers, file);
    if (payload) return (res) => res.writeHead(status, { ...headers, 'Content-Length': String(payload.length) }).end(payload);
    return empty(status);
  }
  if (method === 'POST' && path === '/upload/image') {
    let form: FormData;
    try {
      form = await new Request('http://localhost/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body }).formData();
    } catch {
      return empty(400);
    }
    const result = await uploadImage(deps.dirs, form);
    return 'body' in result ? json(result.body) : result.status === 500 ? crash : empty(result.status);
  }
  return { status: 404, text: '404: Not Found' };
}

export function features(version: SimulatedVersion): JsonObject {
  const base: JsonObject = { supports_preview_metadata: true, max_upload_size: 104857600 };
  return version === '0.8.0' ? { ...base, extension: { manager: { supports_v4: true } } } : base;
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  if (reply.json !== undefined) {
    const text = JSON.stringify(reply.json);
    res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
    res.end(text);
  } else if (reply.text !== undefined || reply.html !== undefined) {
    const text = reply.text ?? reply.html ?? '';
    const type = reply.html !== undefined ? 'text/html' : 'text/plain; charset=utf-8';
    res.writeHead(reply.status, { 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(text)) });
    res.end(text);
  } else {
    res.writeHead(reply.status, { 'Content-Type': 'application/octet-stream', 'Content-Length': '0' });
    res.end();
  }
}
