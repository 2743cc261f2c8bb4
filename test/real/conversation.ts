import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import WebSocket from 'ws';
import { bindWorkflow, preferredModels, resolveJobParams, type ApiGraph } from '../../src/workflow/index.ts';
import { loadProjectAssets } from './rig.ts';

/**
 * What a bare client sees of one ComfyUI conversation, reduced to what the simulator must
 * get right: per prompt the WebSocket message kinds in order (a run of the same kind counts
 * once; executing/executed carry their node), the HTTP status and body of refusals, and
 * the history entry. Run against the simulator and the real server, then compared.
 */
export type Frame = { type: string; data: Record<string, unknown> };

export type Conversation = {
  clientId: string;
  /** Kinds of the frames about this prompt, in order, runs collapsed (binary previews as `preview`). */
  kinds(promptId: string): string[];
  /** Resolves when this prompt's terminal frame arrived. */
  ended(promptId: string, timeoutMs?: number): Promise<void>;
  started(promptId: string, timeoutMs?: number): Promise<void>;
  post(path: string, body: unknown): Promise<{ status: number; body: unknown }>;
  get(path: string): Promise<unknown>;
  close(): void;
};

/**
 * A block of up to three kinds repeated back to back counts once: how many sampler steps
 * (progress_state, preview, progress) ran before an interrupt is timing, not protocol.
 */
export function collapseRepeats(kinds: readonly string[]): string[] {
  const out: string[] = [];
  for (const kind of kinds) {
    out.push(kind);
    for (let size = 1; size <= 3; size += 1) {
      const n = out.length;
      if (n >= 2 * size && out.slice(n - size).every((k, i) => k === out[n - 2 * size + i])) {
        out.splice(n - size, size);
        break;
      }
    }
  }
  return out;
}

export async function converse(baseUrl: string): Promise<Conversation> {
  const clientId = randomUUID();
  const frames: Array<Frame & { promptId: string | undefined }> = [];
  let current: string | undefined;
  const waiters: Array<() => void> = [];
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws?clientId=${clientId}`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
  ws.on('message', (raw: Buffer, isBinary) => {
    let frame: Frame;
    if (isBinary) {
      const event = raw.readUInt32BE(0);
      let data: Record<string, unknown> = {};
      if (event === 4) data = JSON.parse(raw.subarray(8, 8 + raw.readUInt32BE(4)).toString()) as Record<string, unknown>;
      frame = { type: 'preview', data };
    } else frame = JSON.parse(raw.toString()) as Frame;
    const id = typeof frame.data?.prompt_id === 'string' ? frame.data.prompt_id : frame.type === 'preview' ? current : undefined;
    if (frame.type === 'execution_start' && id) current = id;
    frames.push({ ...frame, promptId: id });
    for (const wake of waiters.splice(0)) wake();
  });
  const waitUntil = (test: () => boolean, what: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${baseUrl}: no ${what} within ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        if (test()) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  const label = (frame: Frame) => {
    if (frame.type === 'executing') return frame.data.node === null ? 'executing:null' : `executing:${String(frame.data.node)}`;
    if (frame.type === 'executed') return `executed:${String(frame.data.node)}`;
    return frame.type;
  };
  return {
    clientId,
    kinds: (promptId) => collapseRepeats(frames.filter((f) => f.promptId === promptId).map(label)),
    // Both servers end a prompt's stream with `executing` null, after its history is written.
    ended: (promptId, timeoutMs = 60_000) =>
      waitUntil(() => frames.some((f) => f.promptId === promptId && f.type === 'executing' && f.data.node === null), `end of ${promptId}`, timeoutMs),
    started: (promptId, timeoutMs = 60_000) => waitUntil(() => frames.some((f) => f.promptId === promptId && f.type === 'progress'), `progress of ${promptId}`, timeoutMs),
    async post(path, body) {
      const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: response.status, body: parsed };
    },
    async get(path) {
      return (await fetch(`${baseUrl}${path}`)).json();
    },
    close: () => ws.close(),
  };
}

/** Upload a start image and bind the project's fast preset for it, as the worker would. */
export async function wanPrompt(baseUrl: string, options: { steps: number; seed: number; loraHigh?: string; frames?: number }): Promise<ApiGraph> {
  const png = await sharp({ create: { width: 192, height: 128, channels: 3, background: '#c63' } }).png().toBuffer();
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(png)]), 'diff_start.png');
  form.append('overwrite', 'true');
  const upload = await fetch(`${baseUrl}/upload/image`, { method: 'POST', body: form });
  if (!upload.ok) throw new Error(`upload: ${upload.status}`);
  const { presets, workflows } = await loadProjectAssets();
  const preset = presets.fast!;
  const resolved = resolveJobParams(
    preset,
    { prompt: 'a fox', preset: preset.name, aspect: 'auto', seed: options.seed, width: 192, height: 128, frames: options.frames ?? 17, steps: options.steps, ...(options.loraHigh ? { loraHigh: { name: options.loraHigh, strength: 1 } } : {}) },
    { width: 192, height: 128 },
    { computeDevice: 'cuda:0', allocations: 'cuda:0,0.25gb;cuda:1,8gb;cpu,*' },
  );
  if (!resolved.ok) throw resolved.error;
  return bindWorkflow(workflows.i2v[preset.workflow]!, { ...resolved.value, ...preferredModels(preset.models), image: 'diff_start.png', outputPrefix: 'diff/run' }).prompt;
}
