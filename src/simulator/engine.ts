import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Logger } from '../log.ts';
import type { CatalogueContext } from './catalogue.ts';
import { signatures } from './graph.ts';
import { previewJpeg, type MediaTools } from './media.ts';
import type { Dirs, NodeRunContext } from './nodes.ts';
import { maxHistory, PromptHeap, wireItem, type HistoryEntry } from './queue.ts';
import { killed, RunControl, runPrompt, type CachedNode } from './run.ts';
import type { SocketHub } from './sockets.ts';
import { nowMs, type QueueItem, type SimulatorKnobs, type TimelineEntry } from './types.ts';

/**
 * The prompt worker: pops the lowest `number`, runs it, writes history, and keeps the
 * queue_remaining broadcasts where ComfyUI sends them (put, pick, delete, clear, done).
 */
export type EngineDeps = {
  hub: SocketHub;
  knobs: SimulatorKnobs;
  catalogue: () => CatalogueContext;
  dirs: Dirs;
  tools: MediaTools;
  timeline: TimelineEntry[];
  logger: Logger;
  resolveAnnotated: NodeRunContext['resolveAnnotated'];
};

export type Engine = ReturnType<typeof createEngine>;

export function createEngine(deps: EngineDeps) {
  const { hub, knobs, timeline } = deps;
  const queue = new PromptHeap();
  const history = new Map<string, HistoryEntry>();
  let cache = new Map<string, CachedNode>();
  let running: { item: QueueItem; control: RunControl } | undefined;
  let counter = 0;
  let closed = false;
  let wake: (() => void) | undefined;
  let idle: Promise<void> = Promise.resolve();

  const queueRemaining = (): number => queue.size + (running ? 1 : 0);
  const broadcastStatus = (): void => hub.send('status', { status: { exec_info: { queue_remaining: queueRemaining() } } }, undefined);
  const timelineOf = (promptId: string): TimelineEntry | undefined => timeline.findLast((t) => t.promptId === promptId);

  const isChanged = (item: QueueItem) => (id: string): string => {
    const node = item.prompt[id];
    const file = node?.class_type === 'LoadImage' ? node.inputs.image : node?.class_type === 'VHS_LoadVideo' ? node.inputs.video : undefined;
    if (typeof file !== 'string') return '';
    const path = deps.resolveAnnotated(file, 'input');
    if (!path) return 'missing';
    try {
      // LoadImage hashes the file; VHS looks at its modification time.
      if (node?.class_type === 'VHS_LoadVideo') return String(statSync(path).mtimeMs);
      return createHash('sha256').update(readFileSync(path)).digest('hex');
    } catch {
      return 'missing';
    }
  };

  const writeHistory = (item: QueueItem, entry: Omit<HistoryEntry, 'prompt'>): void => {
    history.delete(item.promptId);
    history.set(item.promptId, { prompt: wireItem(item), ...entry });
    while (history.size > maxHistory) history.delete(history.keys().next().value as string);
  };

  async function runOne(item: QueueItem): Promise<void> {
    const control = new RunControl();
    running = { item, control };
    const entry = timelineOf(item.promptId);
    if (entry) entry.startedAt = nowMs();
    broadcastStatus();
    const keys = signatures(item.prompt, isChanged(item));
    let previewImage: Promise<Buffer> | undefined;
    const firstStill = Object.values(item.prompt).find((n) => n.class_type === 'LoadImage')?.inputs.image;
    const preview = (): Promise<Buffer> =>
      (previewImage ??= previewJpeg(typeof firstStill === 'string' ? deps.resolveAnnotated(firstStill, 'input') : undefined).catch(() => previewJpeg(undefined)));
    try {
      const outcome = await runPrompt({ ...deps, item, control, keys, cache, preview, catalogue: deps.catalogue() });
      // The classic cache keeps only what the latest prompt used.
      const used = new Set(keys.values());
      cache = new Map([...cache].filter(([key]) => used.has(key)));
      const clientId = typeof item.extraData.client_id === 'string' ? item.extraData.client_id : undefined;
      const meta = Object.fromEntries(
        Object.keys(outcome.outputs).map((id) => [id, { node_id: id, display_node: id, parent_node: null, real_node_id: id }]),
      );
      const record = (): void =>
        writeHistory(item, {
          outputs: outcome.outputs,
          status: { status_str: outcome.status === 'success' ? 'success' : 'error', completed: outcome.status === 'success', messages: outcome.messages },
          meta,
        });
      const delay = knobs.delayHistoryWriteMs ?? 0;
      if (delay > 0) setTimeout(() => !closed && record(), delay);
      else record();
      if (entry) Object.assign(entry, { endedAt: nowMs(), status: outcome.status });
      running = undefined;
      broadcastStatus();
      if (clientId !== undefined) hub.send('executing', { node: null, prompt_id: item.promptId }, clientId);
    } catch (error) {
      if (error === killed) return;
      // A simulator bug must not wedge the queue: end the prompt like a failed one.
      deps.logger.error({ err: error, promptId: item.promptId }, 'simulated prompt crashed');
      writeHistory(item, { outputs: {}, status: { status_str: 'error', completed: false, messages: [] }, meta: {} });
      running = undefined;
      broadcastStatus();
      if (typeof item.extraData.client_id === 'string') hub.send('executing', { node: null, prompt_id: item.promptId }, item.extraData.client_id);
    } finally {
      if (running?.item === item) running = undefined;
    }
  }

  async function loop(): Promise<void> {
    while (!closed) {
      const item = queue.pop();
      if (!item) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      await runOne(item);
    }
  }
  idle = loop();

  const kick = (): void => {
    const w = wake;
    wake = undefined;
    // Let the HTTP reply leave first, as the real worker thread picks the prompt up later.
    if (w) setImmediate(w);
  };

  return {
    history,
    nextNumber(front: boolean): number {
      const n = front ? -counter : counter;
      counter += 1;
      return n;
    },
    enqueue(item: QueueItem): void {
      queue.push(item);
      timeline.push({ promptId: item.promptId, receivedAt: nowMs() });
      broadcastStatus();
      kick();
    },
    queueRemaining,
    snapshot: () => ({ running: running ? [wireItem(running.item)] : [], pending: queue.items.map(wireItem) }),
    deletePending(ids: string[]): void {
      for (const id of ids) if (queue.remove((item) => item.promptId === id)) broadcastStatus();
    },
    clearPending(): void {
      queue.clear();
      broadcastStatus();
    },
    /** Global when promptId is undefined; otherwise only if that prompt is the running one. */
    interrupt(promptId: string | undefined): void {
      if (!running) return;
      if (promptId !== undefined && running.item.promptId !== promptId) return;
      running.control.interrupt();
    },
    /** The node to tell a reconnecting socket about, when the running prompt is its client's. */
    runningNodeFor(sid: string): string | undefined {
      if (!running || running.item.extraData.client_id !== sid) return undefined;
      return running.control.currentNode;
    },
    freeMemory(): void {
      cache = new Map();
    },
    /** Forget everything a process restart forgets; files stay on disk. */
    reset(): void {
      running?.control.kill();
      running = undefined;
      queue.clear();
      history.clear();
      cache = new Map();
      counter = 0;
    },
    async close(): Promise<void> {
      closed = true;
      running?.control.kill();
      wake?.();
      await idle;
    },
  };
}
