import { isOutputNode, type CatalogueContext } from './catalogue.ts';
import { createExecutionList, isLink } from './graph.ts';
import type { MediaTools } from './media.ts';
import { describeInputs, PythonError, runners, type Dirs, type NodeRunContext, type StepKind } from './nodes.ts';
import type { SocketHub } from './sockets.ts';
import type { JsonObject, QueueItem, SimulatorKnobs } from './types.ts';

/**
 * One prompt's execution, message for message (protocol §2.4, transcripts 03, 11-14):
 * execution_start, execution_cached, then per node progress_state + executing, steps as
 * progress_state + progress (+ previews), executed for UI nodes, progress_state finished,
 * and a terminal execution_success / execution_error / execution_interrupted.
 */
export type CachedNode = { outputs: unknown[]; ui: Record<string, unknown[]> | undefined };
export type RunOutcome = {
  status: 'success' | 'error' | 'interrupted';
  messages: Array<[string, JsonObject]>;
  outputs: Record<string, Record<string, unknown[]>>;
};

export const interrupted = Symbol('interrupted');
export const killed = Symbol('killed');

/** Flags a running prompt is steered by: an interrupt (checked at node starts and steps) or a kill (restart, close). */
export class RunControl {
  interruptRequested = false;
  killRequested = false;
  currentNode: string | undefined;
  readonly media = new AbortController();
  private readonly wakers = new Set<() => void>();

  interrupt(): void {
    this.interruptRequested = true;
    this.media.abort();
    for (const wake of [...this.wakers]) wake();
  }

  kill(): void {
    this.killRequested = true;
    this.media.abort();
    for (const wake of [...this.wakers]) wake();
  }

  check(includeInterrupt: boolean): void {
    if (this.killRequested) throw killed;
    if (includeInterrupt && this.interruptRequested) throw interrupted;
  }

  /** Wait; a kill always wakes it, an interrupt only when `interruptible` (sampler steps, not node bodies). */
  pause(seconds: number, interruptible: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        this.check(interruptible);
      } catch (reason) {
        reject(reason);
        return;
      }
      if (seconds <= 0) return resolve();
      const wake = (): void => {
        if (!this.killRequested && !(interruptible && this.interruptRequested)) return;
        clearTimeout(timer);
        this.wakers.delete(wake);
        reject(this.killRequested ? killed : interrupted);
      };
      const timer = setTimeout(() => {
        this.wakers.delete(wake);
        resolve();
      }, seconds * 1000);
      this.wakers.add(wake);
    });
  }
}

export type RunDeps = {
  item: QueueItem;
  control: RunControl;
  hub: SocketHub;
  knobs: SimulatorKnobs;
  catalogue: CatalogueContext;
  dirs: Dirs;
  tools: MediaTools;
  /** Cache key per node of this prompt, and the shared output cache. */
  keys: Map<string, string>;
  cache: Map<string, CachedNode>;
  resolveAnnotated: NodeRunContext['resolveAnnotated'];
  preview: () => Promise<Buffer>;
};

const oomTips =
  'This error means you ran out of memory on your GPU.\n\nTIPS: If the workflow worked before you might have accidentally set the batch_size to a large number.';
const nodeTraceback = (classType: string): string[] => [
  '  File "/srv/ComfyUI/execution.py", line 518, in execute\n    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, v3_data=v3_data)\n',
  '  File "/srv/ComfyUI/execution.py", line 329, in get_output_data\n    return_values = await _async_map_node_over_list(prompt_id, unique_id, obj, input_data_all, obj.FUNCTION, allow_interrupt=True, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, v3_data=v3_data)\n',
  `  File "/srv/ComfyUI/execution.py", line 291, in process_inputs\n    result = f(**inputs)\n             ^^^^^^^^^^^\n`,
  `  File "/srv/ComfyUI/simulated_nodes.py", line 1, in ${classType}\n`,
];

export async function runPrompt(deps: RunDeps): Promise<RunOutcome> {
  const { item, control, hub, knobs, keys, cache } = deps;
  const promptId = item.promptId;
  const clientId = typeof item.extraData.client_id === 'string' ? item.extraData.client_id : undefined;
  const old = knobs.oldServer === true;
  const messages: Array<[string, JsonObject]> = [];
  const addMessage = (type: string, data: JsonObject, broadcast: boolean): void => {
    const full = old ? data : { ...data, timestamp: Date.now() };
    messages.push([type, full]);
    if (clientId !== undefined || broadcast) hub.send(type, full, clientId);
  };
  const progress = new Map<string, { value: number; max: number; state: 'running' | 'finished' }>();
  const sendProgressState = (): void => {
    if (old) return;
    const nodes: JsonObject = {};
    for (const [id, p] of progress)
      nodes[id] = { ...p, node_id: id, prompt_id: promptId, display_node_id: id, parent_node_id: null, real_node_id: id };
    hub.send('progress_state', { prompt_id: promptId, nodes }, clientId);
  };
  const finish = (id: string): void => {
    const max = progress.get(id)?.max ?? 1;
    progress.set(id, { value: max, max, state: 'finished' });
    sendProgressState();
  };

  addMessage('execution_start', { prompt_id: promptId }, false);
  const cachedIds = Object.keys(item.prompt).filter((id) => cache.has(keys.get(id) ?? ''));
  addMessage('execution_cached', { nodes: cachedIds, prompt_id: promptId }, false);

  const results = new Map<string, unknown[]>();
  const uiOutputs: Record<string, Record<string, unknown[]>> = {};
  const executed: string[] = [];
  const isCached = (id: string): boolean => cachedIds.includes(id);
  const list = createExecutionList(item.prompt, item.outputs, isCached, (c) => isOutputNode(deps.catalogue, c));
  let samplerSteps = 0;

  for (let id = list.next(); id !== undefined; id = list.next()) {
    const node = item.prompt[id];
    if (!node) break;
    const hit = isCached(id) ? cache.get(keys.get(id) ?? '') : undefined;
    if (hit) {
      if (clientId !== undefined) hub.send('executed', { node: id, display_node: id, output: hit.ui ?? null, prompt_id: promptId }, clientId);
      if (hit.ui) uiOutputs[id] = hit.ui;
      progress.set(id, { value: 1, max: 1, state: 'finished' });
      if (!old) sendProgressState();
      results.set(id, hit.outputs);
      list.complete(id);
      continue;
    }
    progress.set(id, { value: 0, max: 1, state: 'running' });
    sendProgressState();
    control.currentNode = id;
    if (clientId !== undefined) hub.send('executing', { node: id, display_node: id, prompt_id: promptId }, clientId);
    const inputs: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(node.inputs)) {
      // Cached inputs are never visited, so their values come straight from the cache.
      const upstream = isLink(value) ? (results.get(value[0]) ?? cache.get(keys.get(value[0]) ?? '')?.outputs) : undefined;
      inputs[name] = isLink(value) ? upstream?.[value[1]] : value;
    }
    try {
      control.check(true);
      const fail = knobs.failAtNode;
      if (fail && (fail.nodeId === id || fail.classType === node.class_type)) throw new PythonError(fail.exceptionType, fail.exceptionMessage, nodeTraceback(node.class_type));
      if (knobs.outOfMemoryAtNode === node.class_type) throw new PythonError('torch.OutOfMemoryError', 'Allocation on device ', nodeTraceback(node.class_type));
      await control.pause(knobs.secondsPerNode, false);
      const runner = runners[node.class_type];
      if (!runner) throw new PythonError('NotImplementedError', `the simulator cannot run ${node.class_type}`);
      const step = async (value: number, max: number, kind: StepKind): Promise<void> => {
        await control.pause(kind === 'sampler' ? knobs.secondsPerStep : kind === 'frame' ? knobs.secondsPerFrame : 0, true);
        progress.set(id, { value, max, state: 'running' });
        sendProgressState();
        const image = kind === 'sampler' && knobs.previews ? await deps.preview() : undefined;
        if (image) hub.sendBinary(clientId, (meta) => (meta && !old ? previewWithMetadata(image, promptId, id) : undefined));
        hub.send('progress', { value, max, prompt_id: promptId, node: id }, clientId);
        if (image) hub.sendBinary(clientId, (meta) => (meta && !old ? undefined : legacyPreview(image)));
        if (kind === 'sampler' && ++samplerSteps === knobs.dropSocketAfterSteps) hub.dropAll();
      };
      const context: NodeRunContext = {
        nodeId: id,
        classType: node.class_type,
        inputs,
        dirs: deps.dirs,
        tools: deps.tools,
        signal: control.media.signal,
        resolveAnnotated: deps.resolveAnnotated,
        step,
      };
      const result = await runner(context);
      control.check(false);
      results.set(id, result.outputs);
      cache.set(keys.get(id) ?? id, { outputs: result.outputs, ui: result.ui });
      executed.push(id);
      if (result.ui) {
        uiOutputs[id] = result.ui;
        if (clientId !== undefined) hub.send('executed', { node: id, display_node: id, output: result.ui, prompt_id: promptId }, clientId);
      }
      finish(id);
      list.complete(id);
    } catch (error) {
      if (error === killed || control.killRequested) throw killed;
      if (error === interrupted || (control.interruptRequested && !(error instanceof PythonError))) {
        addMessage('execution_interrupted', { prompt_id: promptId, node_id: id, node_type: node.class_type, executed }, true);
        return { status: 'interrupted', messages, outputs: uiOutputs };
      }
      const py = error instanceof PythonError ? error : new PythonError('Exception', error instanceof Error ? error.message : String(error), nodeTraceback(node.class_type));
      addMessage(
        'execution_error',
        {
          prompt_id: promptId,
          node_id: id,
          node_type: node.class_type,
          executed,
          // ComfyUI formats "{ex}\n{tips}"; only out-of-memory errors carry tips.
          exception_message: `${py.message}\n${py.pyType === 'torch.OutOfMemoryError' ? oomTips : ''}`,
          exception_type: py.pyType,
          traceback: py.traceback.length > 0 ? py.traceback : nodeTraceback(node.class_type),
          current_inputs: describeInputs(inputs),
          current_outputs: Object.keys(item.prompt),
        },
        false,
      );
      return { status: 'error', messages, outputs: uiOutputs };
    }
  }
  if (!old) addMessage('execution_success', { prompt_id: promptId }, false);
  return { status: 'success', messages, outputs: uiOutputs };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Binary event 1: PREVIEW_IMAGE, format 1 = JPEG. */
export function legacyPreview(jpeg: Buffer): Buffer {
  return Buffer.concat([u32(1), u32(1), jpeg]);
}

/** Binary event 4: PREVIEW_IMAGE_WITH_METADATA, for sockets that negotiated it. */
export function previewWithMetadata(jpeg: Buffer, promptId: string, nodeId: string): Buffer {
  const meta = Buffer.from(
    JSON.stringify({ node_id: nodeId, prompt_id: promptId, display_node_id: nodeId, parent_node_id: null, real_node_id: nodeId, image_type: 'image/jpeg' }),
  );
  return Buffer.concat([u32(4), u32(meta.length), meta, jpeg]);
}
