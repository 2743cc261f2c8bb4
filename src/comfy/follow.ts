import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { ComfyClient } from './client.ts';
import { ComfyTransientError } from './errors.ts';
import { isTerminal, type NodeOutput, type PromptEvent } from './events.ts';
import type { ApiGraph } from './graph.ts';
import type { ComfyMessage } from './messages.ts';
import { terminalFromHistory } from './historyOutcome.ts';
import type { ComfySocket, SocketState } from './socket.ts';

/**
 * Follow one prompt to its end: socket events while the socket is up, polling of /queue and
 * /history while it is down or after a reconnect (events sent meanwhile are lost for good), and
 * `prompt_lost` when ComfyUI has forgotten the prompt (a restart). Exactly one terminal event.
 */

export type ComfyConnection = { client: ComfyClient; socket: ComfySocket };

export type FollowOptions = {
  /** Stops following (throws the abort reason); it does NOT interrupt ComfyUI. */
  signal?: AbortSignal | undefined;
  /** Poll period while the socket is down or the prompt's state is unsure; default 1000 ms. */
  pollIntervalMs?: number;
  /** The graph we sent, for node titles in logs. */
  graph?: ApiGraph | undefined;
  logger?: Logger | undefined;
  /** Polls in a row that find the prompt in neither queue nor history before it counts as lost; default 3. */
  lostAfterChecks?: number;
  /** How long to keep asking /history after the prompt ended before giving up on it; default 15 s. */
  historyWaitMs?: number;
  /** A slow poll even while the socket is open, for a socket that hears nothing; default 10 × pollIntervalMs. */
  safetyPollMs?: number;
  /** How long ComfyUI may stay unreachable before the last error is thrown; default 2 min. */
  unreachableMs?: number;
};

const defaults = { pollIntervalMs: 1000, lostAfterChecks: 3, historyWaitMs: 15_000, unreachableMs: 120_000 } as const;

type InboxItem = { kind: 'message'; message: ComfyMessage } | { kind: 'state'; state: SocketState } | { kind: 'queue_changed' };

export async function* followPrompt(connection: ComfyConnection, promptId: string, options: FollowOptions = {}): AsyncGenerator<PromptEvent, void, undefined> {
  const { client, socket } = connection;
  const settings = { ...defaults, ...definedOnly(options) };
  const safetyPollMs = options.safetyPollMs ?? settings.pollIntervalMs * 10;
  const signal = options.signal;
  const log = (options.logger ?? silentLogger).child({ promptId });

  const inbox: InboxItem[] = [];
  let wake: (() => void) | undefined;
  const push = (item: InboxItem) => {
    inbox.push(item);
    wake?.();
  };
  // Subscribe before the first HTTP call so nothing sent meanwhile is missed.
  const offPrompt = socket.subscribe(promptId, (message) => push({ kind: 'message', message }));
  const offState = socket.onState((state) => push({ kind: 'state', state }));
  const offStatus = socket.onMessage((message) => {
    if (message.type === 'status') push({ kind: 'queue_changed' });
  });

  let socketOpen = socket.state === 'open';
  /** We may have missed events (start, reconnect): poll until the prompt is seen again. */
  let uncertain = true;
  /** Every event since execution_start reached us, so collected outputs are complete. */
  let sawWholeRun = false;
  let started = false;
  let lastPosition: number | undefined;
  let lastNode: string | undefined;
  const outputs: Record<string, NodeOutput> = {};
  let successAt: number | undefined;
  let awaitingHistorySince: number | undefined;
  let historyTries = 0;
  let pollNow = true;
  let queueChanged = false;
  let lastPollAt = 0;
  let misses = 0;
  let unreachableSince: number | undefined;

  const startedEvent = (at?: number): PromptEvent[] => {
    if (started) return [];
    started = true;
    return [{ type: 'started', at: at ?? Date.now() }];
  };

  const awaitHistory = () => {
    awaitingHistorySince ??= Date.now();
    pollNow = true;
  };

  function handle(item: InboxItem): PromptEvent[] {
    if (item.kind === 'queue_changed') {
      queueChanged = !started;
      return [];
    }
    if (item.kind === 'state') {
      socketOpen = item.state === 'open';
      uncertain = true;
      sawWholeRun = false;
      pollNow = socketOpen;
      return [];
    }
    const message = item.message;
    switch (message.type) {
      case 'execution_start':
        uncertain = false;
        misses = 0;
        sawWholeRun = socketOpen;
        return startedEvent(message.timestamp);
      case 'execution_cached':
        return [...startedEvent(), ...(message.nodes.length > 0 ? [{ type: 'cached' as const, nodes: message.nodes }] : [])];
      case 'executing':
        if (message.node === null) {
          // History is written before this message: read it now (old servers end only this way).
          awaitHistory();
          return [];
        }
        uncertain = false;
        misses = 0;
        lastNode = message.node;
        return [...startedEvent(), { type: 'node', node: message.node }];
      case 'progress': {
        const node = message.node ?? lastNode;
        if (node === undefined) return startedEvent();
        return [...startedEvent(), { type: 'step', node, value: message.value, max: message.max }];
      }
      case 'preview':
        return [{ type: 'preview', node: message.node ?? lastNode, mime: message.mime, image: message.image }];
      case 'executed':
        if (!message.output || Object.keys(message.output).length === 0) return [];
        outputs[message.node] = message.output;
        return [{ type: 'output', node: message.node, output: message.output }];
      case 'execution_success':
        successAt = message.timestamp ?? Date.now();
        if (sawWholeRun) return [{ type: 'succeeded', outputs: { ...outputs }, at: successAt }];
        awaitHistory();
        return [];
      case 'execution_error':
        return [
          {
            type: 'failed',
            failure: { nodeId: message.nodeId, nodeType: message.nodeType, exceptionType: message.exceptionType, exceptionMessage: message.exceptionMessage },
            at: message.timestamp ?? Date.now(),
          },
        ];
      case 'execution_interrupted':
        return [{ type: 'interrupted', node: message.nodeId, at: message.timestamp ?? Date.now() }];
      default:
        return [];
    }
  }

  async function fromHistory(): Promise<PromptEvent[] | undefined> {
    const entry = await client.getHistory(promptId, signal);
    const terminal = entry ? terminalFromHistory(entry, outputs, successAt) : undefined;
    return terminal ? [...startedEvent(), terminal] : undefined;
  }

  async function poll(): Promise<PromptEvent[]> {
    lastPollAt = Date.now();
    pollNow = false;
    queueChanged = false;
    if (awaitingHistorySince !== undefined) {
      historyTries += 1;
      const done = await fromHistory();
      if (done) return done;
      if (Date.now() - awaitingHistorySince < settings.historyWaitMs) return [];
      if (successAt !== undefined && Object.keys(outputs).length > 0) {
        log.warn('no history after success; using the outputs the socket reported');
        return [{ type: 'succeeded', outputs: { ...outputs }, at: successAt }];
      }
      awaitingHistorySince = undefined;
    }
    const queue = await client.getQueue(signal);
    if (queue.running.some((item) => item.promptId === promptId)) {
      uncertain = false;
      misses = 0;
      return startedEvent();
    }
    const position = queue.pending.findIndex((item) => item.promptId === promptId);
    if (position >= 0) {
      uncertain = false;
      misses = 0;
      if (started || position === lastPosition) return [];
      lastPosition = position;
      return [{ type: 'queued', position }];
    }
    const done = await fromHistory();
    if (done) return done;
    misses += 1;
    log.debug({ misses }, 'prompt in neither queue nor history');
    if (misses >= settings.lostAfterChecks) {
      throw new ComfyTransientError('prompt_lost', `ComfyUI no longer knows prompt ${promptId} (restarted?)`);
    }
    return [];
  }

  function pollDelay(): number {
    if (pollNow) return 0;
    let period: number;
    if (awaitingHistorySince !== undefined) period = Math.min(settings.pollIntervalMs, 25 * 2 ** historyTries);
    else if (!socketOpen || uncertain || misses > 0) period = settings.pollIntervalMs;
    else if (queueChanged) period = Math.min(settings.pollIntervalMs, 200);
    else period = safetyPollMs;
    return lastPollAt + period - Date.now();
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      signal?.addEventListener('abort', finish, { once: true });
      wake = finish;
    });
  }

  try {
    for (;;) {
      signal?.throwIfAborted();
      let events: PromptEvent[] = [];
      if (inbox.length > 0) {
        events = handle(inbox.shift() as InboxItem);
      } else {
        const delay = pollDelay();
        if (delay > 0) {
          await sleep(delay);
          continue;
        }
        try {
          events = await poll();
          unreachableSince = undefined;
        } catch (error) {
          if (signal?.aborted || !(error instanceof ComfyTransientError) || error.code === 'prompt_lost') throw error;
          unreachableSince ??= Date.now();
          log.debug({ err: error }, 'poll failed');
          if (Date.now() - unreachableSince >= settings.unreachableMs) throw error;
        }
      }
      for (const event of events) {
        yield event;
        if (isTerminal(event)) return;
      }
    }
  } finally {
    offPrompt();
    offState();
    offStatus();
    wake = undefined;
  }
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
