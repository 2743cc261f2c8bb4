import WebSocket from 'ws';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import { ComfyHttpError } from './errors.ts';
import { drain, resolveUrl, send } from './http.ts';
import { decodeBinaryFrame, parseTextMessage, promptIdOf, type ComfyMessage } from './messages.ts';
import { createUnclaimed } from './unclaimed.ts';

/**
 * One WebSocket to one ComfyUI under one stable clientId, kept open: reconnects with exponential
 * backoff and jitter, and never has two sockets under the same id at once (ComfyUI's cleanup of
 * an old socket would unregister the new one, which then silently hears nothing: protocol §2.1).
 * Messages are parsed once and routed to the subscribers of their prompt.
 */

export type BackoffOptions = {
  /** First reconnect delay; default 250 ms. */
  initialMs: number;
  /** Ceiling; default 10 s. */
  maxMs: number;
  /** Growth per failed attempt; default 2. */
  factor: number;
  /** ± share of the delay drawn at random, so many workers do not reconnect in step; default 0.3. */
  jitter: number;
};

export const defaultBackoff = { initialMs: 250, maxMs: 10_000, factor: 2, jitter: 0.3 } as const satisfies BackoffOptions;

/** Pure: the delay before reconnect attempt `attempt` (0-based); `random` in [0, 1). */
export function backoffDelay(attempt: number, backoff: BackoffOptions, random: number = Math.random()): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** attempt);
  return Math.max(0, Math.round(base * (1 - backoff.jitter + 2 * backoff.jitter * random)));
}

export type ComfySocketOptions = {
  baseUrl: string;
  clientId: string;
  logger?: Logger;
  backoff?: Partial<BackoffOptions>;
  /** Ask for previews with prompt ids (`supports_preview_metadata`): `auto` (default) when GET /features exists. */
  featureFlags?: 'auto' | boolean;
  /** Ping interval; a socket that misses a pong for this long is dropped and reopened. Default 20 s. */
  heartbeatMs?: number;
};

export type SocketState = 'connecting' | 'open' | 'reconnecting' | 'closed';
export type MessageListener = (message: ComfyMessage) => void;

export type ComfySocket = {
  readonly clientId: string;
  readonly state: SocketState;
  /** What the server answered to the feature_flags handshake, if it did. */
  readonly serverFeatures: Record<string, unknown> | undefined;
  /** Messages of one prompt (including previews); returns the unsubscribe. */
  subscribe(promptId: string, listener: MessageListener): () => void;
  /** Every message, e.g. `status` broadcasts of queue changes. */
  onMessage(listener: MessageListener): () => void;
  /** `open` after every (re)connect, `reconnecting` after every drop: followers poll while not open. */
  onState(listener: (state: SocketState) => void): () => void;
  waitUntilOpen(signal?: AbortSignal): Promise<void>;
  /** Stop for good: closes the socket and stops reconnecting. */
  close(): Promise<void>;
};

export function createComfySocket(options: ComfySocketOptions): ComfySocket {
  const backoff: BackoffOptions = { ...defaultBackoff, ...options.backoff };
  const heartbeatMs = options.heartbeatMs ?? 20_000;
  const log = (options.logger ?? silentLogger).child({ comfy: options.baseUrl, clientId: options.clientId });
  const wsUrl = resolveUrl(options.baseUrl, 'ws', { clientId: options.clientId });
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';

  const subscribers = new Map<string, Set<MessageListener>>();
  const unclaimed = createUnclaimed<ComfyMessage>();
  const messageListeners = new Set<MessageListener>();
  const stateListeners = new Set<(state: SocketState) => void>();
  let state: SocketState = 'connecting';
  let current: WebSocket | undefined;
  let attempt = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let serverFeatures: Record<string, unknown> | undefined;
  /** The prompt ComfyUI is running for us: type-1 previews and the reconnect `executing` carry no id. */
  let runningPromptId: string | undefined;
  let probe: AbortController | undefined;

  function setState(next: SocketState): void {
    if (state === next) return;
    state = next;
    for (const listener of stateListeners) safely(() => listener(next));
  }

  function safely(call: () => void): void {
    try {
      call();
    } catch (error) {
      log.error({ err: error }, 'socket listener threw');
    }
  }

  async function wantsFeatureFlags(): Promise<boolean> {
    if (options.featureFlags !== undefined && options.featureFlags !== 'auto') return options.featureFlags;
    probe = new AbortController();
    try {
      await drain(await send({ baseUrl: options.baseUrl, timeoutMs: 5_000 }, 'GET', 'features', { signal: probe.signal }));
      return true;
    } catch (error) {
      if (error instanceof ComfyHttpError && error.status === 404) return false;
      throw error;
    } finally {
      probe = undefined;
    }
  }

  async function connect(): Promise<void> {
    if (state === 'closed') return;
    let flags: boolean;
    try {
      flags = await wantsFeatureFlags();
    } catch (error) {
      log.debug({ err: error }, 'ComfyUI not reachable; will retry');
      scheduleReconnect();
      return;
    }
    // close() may have run while we probed.
    if ((state as SocketState) === 'closed') return;
    const ws = new WebSocket(wsUrl, { handshakeTimeout: 10_000 });
    current = ws;
    let alive = true;
    ws.on('open', () => {
      attempt = 0;
      if (flags) ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
      heartbeat = setInterval(() => {
        if (!alive) {
          log.warn('socket missed a heartbeat; reopening');
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, heartbeatMs).unref();
      log.debug('socket open');
      setState('open');
    });
    ws.on('pong', () => {
      alive = true;
    });
    ws.on('message', (data, isBinary) => {
      alive = true;
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      const message = isBinary ? decodeBinaryFrame(buffer) : parseTextMessage(buffer.toString('utf8'));
      if (message) dispatch(message);
    });
    ws.on('error', (error) => log.debug({ err: error }, 'socket error'));
    ws.on('close', (code) => {
      clearInterval(heartbeat);
      if (current !== ws) return;
      current = undefined;
      // Whatever ran may have ended while we were away; followers poll until we are back.
      runningPromptId = undefined;
      if (state === 'closed') return;
      log.debug({ code }, 'socket closed; reconnecting');
      scheduleReconnect();
    });
  }

  function scheduleReconnect(): void {
    if (state === 'closed') return;
    setState('reconnecting');
    const delay = backoffDelay(attempt, backoff);
    attempt += 1;
    reconnectTimer = setTimeout(() => void connect(), delay);
  }

  function dispatch(raw: ComfyMessage): void {
    const message = attribute(raw);
    if (message.type === 'feature_flags') serverFeatures = message.flags;
    if (message.type === 'status' && message.sid !== undefined && message.sid !== options.clientId) {
      log.warn({ sid: message.sid }, 'ComfyUI registered this socket under another id');
    }
    for (const listener of messageListeners) safely(() => listener(message));
    const promptId = promptIdOf(message);
    const listeners = promptId === undefined ? undefined : subscribers.get(promptId);
    if (listeners) for (const listener of listeners) safely(() => listener(message));
    else if (promptId !== undefined && message.type !== 'preview') unclaimed.keep(promptId, message);
    if (message.type === 'executing' && message.node === null && message.promptId === runningPromptId) runningPromptId = undefined;
  }

  /** Fill in the prompt id of messages that lack one, from what we know is running. */
  function attribute(message: ComfyMessage): ComfyMessage {
    switch (message.type) {
      case 'execution_start':
        runningPromptId = message.promptId;
        return message;
      case 'executing':
      case 'progress':
        if (message.promptId !== undefined) {
          if (message.type === 'progress' || message.node !== null) runningPromptId = message.promptId;
          return message;
        }
        return runningPromptId === undefined ? message : { ...message, promptId: runningPromptId };
      case 'preview':
        return message.promptId !== undefined || runningPromptId === undefined ? message : { ...message, promptId: runningPromptId };
      default:
        return message;
    }
  }

  void connect();

  return {
    clientId: options.clientId,
    get state() {
      return state;
    },
    get serverFeatures() {
      return serverFeatures;
    },
    subscribe(promptId, listener) {
      const set = subscribers.get(promptId) ?? new Set();
      set.add(listener);
      subscribers.set(promptId, set);
      for (const missed of unclaimed.claim(promptId)) safely(() => listener(missed));
      return () => {
        set.delete(listener);
        if (set.size === 0 && subscribers.get(promptId) === set) subscribers.delete(promptId);
      };
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => void messageListeners.delete(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
    waitUntilOpen(signal) {
      if (state === 'open') return Promise.resolve();
      if (state === 'closed') return Promise.reject(new Error('socket closed'));
      return new Promise<void>((resolve, reject) => {
        const done = () => {
          off();
          signal?.removeEventListener('abort', onAbort);
        };
        const onAbort = () => {
          done();
          reject(signal?.reason);
        };
        const off = this.onState((next) => {
          if (next === 'open') {
            done();
            resolve();
          } else if (next === 'closed') {
            done();
            reject(new Error('socket closed'));
          }
        });
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    async close() {
      if (state === 'closed') return;
      setState('closed');
      clearTimeout(reconnectTimer);
      clearInterval(heartbeat);
      probe?.abort();
      const ws = current;
      current = undefined;
      if (!ws || ws.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => ws.terminate(), 1_000).unref();
        ws.once('close', () => {
          clearTimeout(force);
          resolve();
        });
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close();
      });
    },
  };
}
