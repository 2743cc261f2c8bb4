import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { shapeDiff } from './shape.ts';

/**
 * Replays the client side of a recorded ComfyUI conversation against the simulator and
 * lists every difference that matters: status codes, content types, empty bodies, JSON
 * shapes, and per socket the WebSocket message types, their order, routing and shapes.
 * Prompt ids the server chose in the recording are swapped for the simulator's.
 */
export type RecordedLine = {
  t: number;
  dir: 'http' | 'ws<' | 'ws>' | 'ws-open' | 'note';
  method?: string;
  url?: string;
  req_body?: string;
  req_headers?: Record<string, string>;
  status?: number;
  resp_headers?: Record<string, string>;
  resp_body?: string;
  resp_body_len?: number;
  resp_body_file?: string;
  kind?: 'text' | 'binary';
  data?: string;
  event_type?: number;
  metadata?: string;
};

export type ReplayOptions = {
  /** Bodies for requests recorded as "<multipart form>", by their order among those. */
  forms?: Array<() => FormData>;
  /** Paths (regexps over `$.a.b[0]`) whose shape is not compared. */
  ignore?: RegExp[];
  /**
   * How long to wait for the socket to reach the point the recording had reached before a
   * request (default 30 s). Only a simulator that never gets there waits this long: that is
   * reported, and the rest of the replay no longer waits.
   */
  frameWaitMs?: number;
};

export function loadTranscript(version: string, name: string): RecordedLine[] {
  const file = new URL(`../fixtures/comfyui-transcripts/v${version}/${name}.jsonl`, import.meta.url);
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as RecordedLine);
}

type Frame = { type: string; data: Record<string, unknown> } | { type: `bin${number}`; data: Record<string, unknown> };

function recordedFrame(line: RecordedLine): Frame {
  if (line.kind === 'binary') return { type: `bin${line.event_type ?? 0}`, data: line.metadata ? (JSON.parse(line.metadata) as Record<string, unknown>) : {} };
  return JSON.parse(line.data ?? '{}') as Frame;
}

function liveFrame(raw: Buffer, isBinary: boolean): Frame {
  if (!isBinary) return JSON.parse(raw.toString()) as Frame;
  const type = raw.readUInt32BE(0);
  if (type !== 4) return { type: `bin${type}`, data: {} };
  const len = raw.readUInt32BE(4);
  return { type: 'bin4', data: JSON.parse(raw.subarray(8, 8 + len).toString()) as Record<string, unknown> };
}

const token = (f: Frame): string => (f.type === 'executing' && f.data.node === null ? 'executing:null' : f.type);
const nodeWork = new Set(['progress_state', 'executing', 'progress', 'bin1', 'bin4']);

/** Split a socket's frames into status frames and per-prompt streams (binaries join the prompt before them). */
function groupByPrompt(frames: Frame[], mapId: (id: string) => string): { status: Frame[]; prompts: Map<string, Frame[]>; order: string[] } {
  const status: Frame[] = [];
  const prompts = new Map<string, Frame[]>();
  const order: string[] = [];
  let last = '';
  for (const f of frames) {
    if (f.type === 'status' || f.type === 'feature_flags') {
      status.push(f);
      continue;
    }
    const id = typeof f.data.prompt_id === 'string' ? mapId(f.data.prompt_id) : last;
    last = id;
    if (!prompts.has(id)) {
      prompts.set(id, []);
      order.push(id);
    }
    prompts.get(id)?.push(f);
  }
  return { status, prompts, order };
}

/** A run interrupted at a timing-dependent node: compare the node work as one block. */
function collapse(tokens: string[]): string[] {
  return tokens.reduce<string[]>((out, t) => {
    const w = nodeWork.has(t) ? 'node-work' : t;
    if (!(w === 'node-work' && out.at(-1) === 'node-work')) out.push(w);
    return out;
  }, []);
}

const tally = (tokens: string[]): Map<string, number> => tokens.reduce((m, t) => m.set(t, (m.get(t) ?? 0) + 1), new Map<string, number>());

/**
 * Whether the live socket has got as far as the recording had: every message that does not
 * depend on timing (status, execution_*, executed, executing null, …) as often, and if the
 * recording was inside a node's work (a request made mid-run, such as an interrupt), the live
 * run inside node work too or past it. How many progress, executing and preview frames come
 * first is a matter of speed, so those are not counted.
 */
function reached(seen: Frame[], live: Frame[]): boolean {
  const milestones = (frames: Frame[]): string[] => frames.map(token).filter((t) => !nodeWork.has(t));
  const need = milestones(seen);
  const have = milestones(live);
  const haveCount = tally(have);
  if ([...tally(need)].some(([t, n]) => (haveCount.get(t) ?? 0) < n)) return false;
  const last = seen.at(-1);
  const liveLast = live.at(-1);
  if (!last || !nodeWork.has(token(last))) return true;
  return have.length > need.length || (liveLast !== undefined && nodeWork.has(token(liveLast)));
}

export async function replay(baseUrl: string, lines: RecordedLine[], options: ReplayOptions = {}): Promise<string[]> {
  const problems: string[] = [];
  const ids = new Map<string, string>();
  const swap = (s: string): string => [...ids].reduce((acc, [from, to]) => acc.replaceAll(from, to), s);
  let socket: WebSocket | undefined;
  const live: Frame[] = [];
  const recorded: Frame[] = [];
  let formIndex = 0;
  let waitMs = options.frameWaitMs ?? 30_000;

  /** Wait until the live socket has got as far as the recording's first `count` frames. */
  const waitForFrames = async (count: number, before: string): Promise<void> => {
    const seen = recorded.slice(0, count);
    const deadline = Date.now() + waitMs;
    while (!reached(seen, live) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    if (reached(seen, live)) return;
    const expected = seen.map(token).filter((t) => !nodeWork.has(t));
    problems.push(`${before}: the socket never got as far as the recording (${expected.slice(-3).join(' ')}) within ${waitMs} ms`);
    waitMs = 200;
  };

  for (const [index, line] of lines.entries()) {
    if (line.dir === 'ws-open') {
      socket = new WebSocket(baseUrl.replace(/^http/, 'ws') + (line.url ?? '/ws'));
      socket.on('message', (raw: Buffer, isBinary: boolean) => live.push(liveFrame(raw, isBinary)));
      await new Promise((resolve, reject) => socket?.once('open', resolve).once('error', reject));
    } else if (line.dir === 'ws>') {
      socket?.send(line.data ?? '');
    } else if (line.dir === 'ws<') {
      recorded.push(recordedFrame(line));
    } else if (line.dir === 'http') {
      // Frames the server sent before this exchange, minus the status frame this request itself caused.
      const previous = lines.slice(0, index);
      const lastHttp = previous.findLastIndex((l) => l.dir === 'http');
      const tail = previous.slice(lastHttp + 1).filter((l) => l.dir === 'ws<');
      const causedByThis = ['POST /prompt', 'POST /queue'].includes(`${line.method} ${line.url?.replace(/^\/api/, '')}`) && tail.at(-1) && recordedFrame(tail.at(-1) as RecordedLine).type === 'status';
      if (socket) await waitForFrames(recorded.length - (causedByThis ? 1 : 0), `before ${line.method} ${line.url}`);
      problems.push(...(await exchange(baseUrl, line, swap, ids, () => options.forms?.[formIndex++]?.(), options.ignore ?? [])));
    }
  }
  if (socket) {
    await waitForFrames(recorded.length, 'at the end');
    // A ping answered proves every frame sent before it has arrived.
    await new Promise<void>((resolve) => {
      socket?.once('pong', () => resolve());
      socket?.ping();
    });
    socket.close();
  }
  problems.push(...compareFrames(recorded, live, (id) => ids.get(id) ?? id, options.ignore ?? []));
  return problems;
}

/** Output names with random parts (PreviewImage's temp prefix) are swapped like prompt ids. */
function learnFilenames(expected: unknown, actual: unknown, ids: Map<string, string>): void {
  if (typeof expected !== 'object' || expected === null || typeof actual !== 'object' || actual === null) return;
  const single = Object.keys(expected).length === 1 && Object.keys(actual).length === 1;
  for (const [key, value] of Object.entries(expected)) {
    // A history body is keyed by the prompt id, which differs: pair the only entries.
    const other = single ? Object.values(actual)[0] : (actual as Record<string, unknown>)[key];
    if (key === 'filename' && typeof value === 'string' && typeof other === 'string' && value !== other) ids.set(value, other);
    else learnFilenames(value, other, ids);
  }
}

async function exchange(
  baseUrl: string,
  line: RecordedLine,
  swap: (s: string) => string,
  ids: Map<string, string>,
  form: () => FormData | undefined,
  ignore: RegExp[],
): Promise<string[]> {
  const what = `${line.method} ${line.url}`;
  const init: RequestInit = { method: line.method ?? 'GET', headers: { ...(line.req_headers ?? {}) } };
  if (line.req_body === '<multipart form>') init.body = form() ?? null;
  else if (line.req_body !== undefined && line.req_body !== null) init.body = swap(line.req_body);
  const response = await fetch(baseUrl + swap(line.url ?? '/'), init);
  const text = Buffer.from(await response.arrayBuffer());
  const problems: string[] = [];
  if (response.status !== line.status) problems.push(`${what}: status ${response.status}, recorded ${line.status}`);
  const type = response.headers.get('content-type') ?? '';
  const recordedType = line.resp_headers?.['Content-Type'] ?? '';
  if (type !== recordedType) problems.push(`${what}: content-type ${type}, recorded ${recordedType}`);
  if (line.resp_body_len === 0 && text.length > 0) problems.push(`${what}: body should be empty`);
  if (line.resp_body_len !== undefined && line.resp_body_len > 0 && text.length === 0) problems.push(`${what}: body should not be empty`);
  if (line.resp_headers?.['Content-Range'] && !response.headers.get('content-range')) problems.push(`${what}: no Content-Range`);
  if (line.resp_body !== undefined && recordedType.startsWith('application/json')) {
    const expected = JSON.parse(line.resp_body) as unknown;
    const actual = JSON.parse(text.toString()) as unknown;
    const racyEmptyHistory = /\/history\//.test(line.url ?? '') && line.resp_body === '{}';
    if (!racyEmptyHistory) problems.push(...shapeDiff(expected, actual, what, ignore));
    learnFilenames(expected, actual, ids);
    const recordedId = (expected as { prompt_id?: unknown }).prompt_id;
    const liveId = (actual as { prompt_id?: unknown }).prompt_id;
    if (typeof recordedId === 'string' && typeof liveId === 'string') ids.set(recordedId, liveId);
  } else if (line.resp_body !== undefined && recordedType.startsWith('text/') && text.toString() !== line.resp_body && line.status !== 200) {
    problems.push(`${what}: body ${JSON.stringify(text.toString())}, recorded ${JSON.stringify(line.resp_body)}`);
  }
  if (line.resp_body_file && recordedType.startsWith('application/json')) {
    const actual = JSON.parse(text.toString()) as Record<string, Record<string, unknown>>;
    for (const [name, info] of Object.entries(actual))
      for (const key of ['input', 'input_order', 'output', 'output_is_list', 'output_name', 'name', 'display_name', 'category', 'output_node'])
        if (!(key in info)) problems.push(`${what}: ${name} lacks ${key}`);
  }
  return problems;
}

function compareFrames(recorded: Frame[], live: Frame[], mapId: (id: string) => string, ignore: RegExp[]): string[] {
  const problems: string[] = [];
  const first = (f: Frame | undefined): string => (f ? `${f.type}${'sid' in f.data ? '+sid' : ''}` : 'nothing');
  if (first(recorded[0]) !== first(live[0])) problems.push(`first frame: ${first(live[0])}, recorded ${first(recorded[0])}`);
  const r = groupByPrompt(recorded.slice(1), mapId);
  const l = groupByPrompt(live.slice(1), (id) => id);
  if (r.status.length !== l.status.length)
    problems.push(`status/feature_flags frames: ${l.status.length}, recorded ${r.status.length}`);
  r.status.forEach((f, i) => problems.push(...shapeDiff(f, l.status[i] ?? {}, `status#${i}`, ignore)));
  if (r.order.length !== l.order.length) problems.push(`prompts seen on the socket: ${l.order.length}, recorded ${r.order.length}`);
  for (const id of r.order) {
    const expected = r.prompts.get(id) ?? [];
    const actual = l.prompts.get(id) ?? [];
    const wasInterrupted = expected.some((f) => f.type === 'execution_interrupted');
    const et = expected.map(token);
    const at = actual.map(token);
    const [e, a] = wasInterrupted ? [collapse(et), collapse(at)] : [et, at];
    // Several output nodes run in Python set order, which differs per process: then only the
    // multiset of messages and the first and last ones are fixed.
    const outputsRun = new Set(expected.filter((f) => f.type === 'executed').map((f) => f.data.node)).size;
    const sameMultiset = [...e].sort().join() === [...a].sort().join() && e.slice(0, 2).join() === a.slice(0, 2).join() && e.slice(-2).join() === a.slice(-2).join();
    if (e.join() !== a.join() && !(outputsRun > 1 && sameMultiset)) {
      problems.push(`prompt ${id}: messages\n  live     ${a.join(' ')}\n  recorded ${e.join(' ')}`);
      continue;
    }
    if (wasInterrupted) continue;
    actual.forEach((f, i) => {
      const twin =
        f.type === 'executed'
          ? expected.find((x) => x.type === 'executed' && x.data.node === f.data.node)
          : e.join() === a.join()
            ? expected[i]
            : expected.find((x) => token(x) === token(f));
      problems.push(...shapeDiff(twin, f, `prompt ${id} #${i} ${f.type}`, ignore));
    });
  }
  // History is written before these two, so they close every run the client owns.
  const tail = live.map(token);
  tail.forEach((t, i) => {
    if (t === 'executing:null' && tail[i - 1] !== 'status') problems.push(`executing null at #${i} not preceded by status`);
  });
  return problems;
}
