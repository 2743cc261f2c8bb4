import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { ComfyClient } from './client.ts';
import { ComfyTransientError } from './errors.ts';
import { isTerminal, type PromptEvent } from './events.ts';
import { initialFollowState, nextPoll, stepFollow, type FollowInput, type FollowSettings } from './followState.ts';
import type { ApiGraph } from './graph.ts';
import type { ComfySocket } from './socket.ts';

/**
 * Follow one prompt to its end: socket events while the socket is up, polling of /queue and
 * /history while it is down or after a reconnect (events sent meanwhile are lost for good), and
 * `prompt_lost` when ComfyUI has forgotten the prompt (a restart). Exactly one terminal event.
 * The decisions live in the pure core (followState.ts); this is the I/O loop around it.
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

export async function* followPrompt(connection: ComfyConnection, promptId: string, options: FollowOptions = {}): AsyncGenerator<PromptEvent, void, undefined> {
  const { client, socket } = connection;
  const merged = { ...defaults, ...definedOnly(options) };
  const settings: FollowSettings = { ...merged, safetyPollMs: options.safetyPollMs ?? merged.pollIntervalMs * 10 };
  const signal = options.signal;
  const log = (options.logger ?? silentLogger).child({ promptId });

  const inbox: FollowInput[] = [];
  let wake: (() => void) | undefined;
  const push = (input: FollowInput) => {
    inbox.push(input);
    wake?.();
  };
  // Subscribe before the first HTTP call so nothing sent meanwhile is missed.
  const offPrompt = socket.subscribe(promptId, (message) => push({ type: 'message', message, at: Date.now() }));
  const offState = socket.onState((state) => push({ type: 'socket', open: state === 'open', at: Date.now() }));
  const offStatus = socket.onMessage((message) => {
    if (message.type === 'status') push({ type: 'queue_changed', at: Date.now() });
  });

  let state = initialFollowState(promptId, socket.state === 'open');
  let lastError: unknown;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const input = inbox.shift() ?? (await pollOnce());
      if (!input) continue;
      const step = stepFollow(state, input, settings);
      state = step.state;
      if (step.note) log[step.note.level]({ ...step.note.fields, ...(input.type === 'poll_failed' && { err: lastError }) }, step.note.message);
      for (const event of step.events) {
        yield event;
        if (isTerminal(event)) return;
      }
      if (state.phase.name === 'lost') throw new ComfyTransientError('prompt_lost', `ComfyUI no longer knows prompt ${promptId} (restarted?)`);
      if (state.phase.name === 'unreachable') throw lastError;
    }
  } finally {
    offPrompt();
    offState();
    offStatus();
    wake = undefined;
  }

  /** Ask ComfyUI what the core wants to know, or sleep until it is time (or a message wakes us): `undefined` after a sleep. */
  async function pollOnce(): Promise<FollowInput | undefined> {
    const at = Date.now();
    const plan = nextPoll(state, settings, at);
    if ('waitMs' in plan) {
      await sleep(plan.waitMs);
      return undefined;
    }
    try {
      if (plan.request === 'queue') return { type: 'queue', queue: await client.getQueue(signal), at };
      return { type: 'history', entry: await client.getHistory(promptId, signal), at };
    } catch (error) {
      if (signal?.aborted || !(error instanceof ComfyTransientError) || error.code === 'prompt_lost') throw error;
      lastError = error;
      return { type: 'poll_failed', at };
    }
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
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
