import type { NodeOutput, PromptEvent } from './events.ts';
import { terminalFromHistory } from './historyOutcome.ts';
import type { ComfyMessage } from './messages.ts';
import type { HistoryEntry, QueueState } from './schemas.ts';

/**
 * Pure core of following one prompt: `(state, input) → (state, events)`, the way discord.js's
 * `WebSocketShard` keeps its status. No clock, no I/O: every input carries the time it happened,
 * and `nextPoll` says when to ask ComfyUI what. `followPrompt` (follow.ts) is the short loop
 * that feeds it socket messages and poll answers, and yields its events.
 */

export type FollowPhase =
  /** We may have missed events (start, socket reconnect, a poll that found nothing): poll until the prompt is seen. */
  | { name: 'unsure'; misses: number }
  /** The prompt was seen queued or running: the socket drives, a slow safety poll checks. */
  | { name: 'watching' }
  /** The run ended on the socket, but not everything of it reached us: read /history. `misses` carries over if it ends empty. */
  | { name: 'ending'; since: number; tries: number; misses: number }
  /** The terminal event was emitted. */
  | { name: 'done' }
  /** ComfyUI knows the prompt in neither queue nor history, `lostAfterChecks` times in a row (a restart). */
  | { name: 'lost'; misses: number }
  /** Polls failed for `unreachableMs`: give up with the last error. */
  | { name: 'unreachable'; since: number };

export type FollowState = {
  promptId: string;
  phase: FollowPhase;
  socketOpen: boolean;
  /** Every event since execution_start reached us, so collected outputs are complete. */
  sawWholeRun: boolean;
  started: boolean;
  lastPosition: number | undefined;
  lastNode: string | undefined;
  outputs: Record<string, NodeOutput>;
  successAt: number | undefined;
  /** When the current run of failed polls began. */
  unreachableSince: number | undefined;
  poll: {
    /** When the last poll began. */
    lastAt: number;
    /** Poll at once (start, reconnect, end of a run). */
    due: boolean;
    /** ComfyUI's queue moved while we wait to start: look sooner than the safety poll. */
    queueChanged: boolean;
    /** /queue did not list the prompt: ask /history next, in the same round. */
    lookup: boolean;
  };
};

export type FollowInput =
  /** A socket message routed to this prompt. */
  | { type: 'message'; message: ComfyMessage; at: number }
  | { type: 'socket'; open: boolean; at: number }
  /** A `status` message: someone's prompt was queued or finished. */
  | { type: 'queue_changed'; at: number }
  /** The answer to `nextPoll`'s `queue` request, begun at `at`. */
  | { type: 'queue'; queue: QueueState; at: number }
  /** The answer to `nextPoll`'s `history` request, begun at `at` (`undefined`: ComfyUI has no entry). */
  | { type: 'history'; entry: HistoryEntry | undefined; at: number }
  /** A poll begun at `at` failed with a transient error. */
  | { type: 'poll_failed'; at: number };

export type FollowStep = {
  state: FollowState;
  events: PromptEvent[];
  /** Worth a log line; the loop decides where it goes. */
  note?: { level: 'debug' | 'warn'; message: string; fields?: Record<string, unknown> } | undefined;
};

export type FollowSettings = {
  pollIntervalMs: number;
  lostAfterChecks: number;
  historyWaitMs: number;
  safetyPollMs: number;
  unreachableMs: number;
};

export type PollPlan = { request: 'queue' | 'history' } | { waitMs: number };

export function initialFollowState(promptId: string, socketOpen: boolean): FollowState {
  return {
    promptId,
    phase: { name: 'unsure', misses: 0 },
    socketOpen,
    sawWholeRun: false,
    started: false,
    lastPosition: undefined,
    lastNode: undefined,
    outputs: {},
    successAt: undefined,
    unreachableSince: undefined,
    poll: { lastAt: 0, due: true, queueChanged: false, lookup: false },
  };
}

/** The phase ends the stream: the loop returns (`done`) or throws (`lost`, `unreachable`). */
export function isFinal(phase: FollowPhase): boolean {
  return phase.name === 'done' || phase.name === 'lost' || phase.name === 'unreachable';
}

/** What to ask ComfyUI next, or how long to wait before asking. */
export function nextPoll(state: FollowState, settings: FollowSettings, now: number): PollPlan {
  const { phase, poll } = state;
  const request = phase.name === 'ending' || poll.lookup ? 'history' : 'queue';
  if (poll.due || (poll.lookup && phase.name !== 'ending')) return { request };
  let period: number;
  if (phase.name === 'ending') period = Math.min(settings.pollIntervalMs, 25 * 2 ** phase.tries);
  else if (!state.socketOpen || phase.name === 'unsure') period = settings.pollIntervalMs;
  else if (poll.queueChanged) period = Math.min(settings.pollIntervalMs, 200);
  else period = settings.safetyPollMs;
  const waitMs = poll.lastAt + period - now;
  return waitMs > 0 ? { waitMs } : { request };
}

export function stepFollow(state: FollowState, input: FollowInput, settings: FollowSettings): FollowStep {
  switch (input.type) {
    case 'message':
      return onMessage(state, input.message, input.at);
    case 'socket': {
      const phase: FollowPhase = state.phase.name === 'watching' ? { name: 'unsure', misses: 0 } : state.phase;
      return { state: { ...state, phase, socketOpen: input.open, sawWholeRun: false, poll: { ...state.poll, due: input.open } }, events: [] };
    }
    case 'queue_changed':
      return { state: { ...state, poll: { ...state.poll, queueChanged: !state.started } }, events: [] };
    case 'queue':
      return onQueue(polled(state, input.at), input.queue, input.at);
    case 'history':
      return state.phase.name === 'ending' ? onEndingHistory(polled(state, input.at), state.phase, input.entry, input.at, settings) : onLookup(polled(state, input.at), input.entry, input.at, settings);
    case 'poll_failed': {
      const since = state.unreachableSince ?? input.at;
      // A failed read of /history still counts as a try (its backoff grows).
      const tried: FollowPhase = state.phase.name === 'ending' ? { ...state.phase, tries: state.phase.tries + 1 } : state.phase;
      const phase: FollowPhase = input.at - since >= settings.unreachableMs ? { name: 'unreachable', since } : tried;
      const poll = { ...state.poll, lastAt: input.at, due: false, queueChanged: false, lookup: false };
      return { state: { ...state, phase, poll, unreachableSince: since }, events: [], note: { level: 'debug', message: 'poll failed' } };
    }
  }
}

/** A poll answered: its round began at `at`. */
function polled(state: FollowState, at: number): FollowState {
  return { ...state, unreachableSince: undefined, poll: { lastAt: at, due: false, queueChanged: false, lookup: false } };
}

/** The prompt was seen alive: whatever we feared we missed, we are back on track. */
function seen(phase: FollowPhase): FollowPhase {
  return phase.name === 'ending' ? { ...phase, misses: 0 } : { name: 'watching' };
}

function startedEvent(state: FollowState, at: number): { state: FollowState; events: PromptEvent[] } {
  if (state.started) return { state, events: [] };
  return { state: { ...state, started: true }, events: [{ type: 'started', at }] };
}

/** History is written before the end reaches the socket: read it now (old servers end only this way). */
function awaitHistory(state: FollowState, at: number): FollowState {
  const phase: FollowPhase =
    state.phase.name === 'ending' ? state.phase : { name: 'ending', since: at, tries: 0, misses: state.phase.name === 'unsure' ? state.phase.misses : 0 };
  return { ...state, phase, poll: { ...state.poll, due: true, lookup: false } };
}

function finish(state: FollowState, events: PromptEvent[]): FollowStep {
  return { state: { ...state, phase: { name: 'done' } }, events };
}

function onMessage(state: FollowState, message: ComfyMessage, at: number): FollowStep {
  switch (message.type) {
    case 'execution_start': {
      const next = startedEvent({ ...state, phase: seen(state.phase), sawWholeRun: state.socketOpen }, message.timestamp ?? at);
      return next;
    }
    case 'execution_cached': {
      const next = startedEvent(state, at);
      return { state: next.state, events: [...next.events, ...(message.nodes.length > 0 ? [{ type: 'cached' as const, nodes: message.nodes }] : [])] };
    }
    case 'executing': {
      if (message.node === null) return { state: awaitHistory(state, at), events: [] };
      const next = startedEvent({ ...state, phase: seen(state.phase), lastNode: message.node }, at);
      return { state: next.state, events: [...next.events, { type: 'node', node: message.node }] };
    }
    case 'progress': {
      const node = message.node ?? state.lastNode;
      const next = startedEvent(state, at);
      if (node === undefined) return next;
      return { state: next.state, events: [...next.events, { type: 'step', node, value: message.value, max: message.max }] };
    }
    case 'preview':
      return { state, events: [{ type: 'preview', node: message.node ?? state.lastNode, mime: message.mime, image: message.image }] };
    case 'executed': {
      if (!message.output || Object.keys(message.output).length === 0) return { state, events: [] };
      const outputs = { ...state.outputs, [message.node]: message.output };
      return { state: { ...state, outputs }, events: [{ type: 'output', node: message.node, output: message.output }] };
    }
    case 'execution_success': {
      const successAt = message.timestamp ?? at;
      const next = { ...state, successAt };
      if (state.sawWholeRun) return finish(next, [{ type: 'succeeded', outputs: { ...state.outputs }, at: successAt }]);
      return { state: awaitHistory(next, at), events: [] };
    }
    case 'execution_error': {
      const { nodeId, nodeType, exceptionType, exceptionMessage } = message;
      return finish(state, [{ type: 'failed', failure: { nodeId, nodeType, exceptionType, exceptionMessage }, at: message.timestamp ?? at }]);
    }
    case 'execution_interrupted':
      return finish(state, [{ type: 'interrupted', node: message.nodeId, at: message.timestamp ?? at }]);
    default:
      return { state, events: [] };
  }
}

function onQueue(state: FollowState, queue: QueueState, at: number): FollowStep {
  if (queue.running.some((item) => item.promptId === state.promptId)) return startedEvent({ ...state, phase: seen(state.phase) }, at);
  const position = queue.pending.findIndex((item) => item.promptId === state.promptId);
  if (position < 0) return { state: { ...state, poll: { ...state.poll, lookup: true } }, events: [] };
  const next: FollowState = { ...state, phase: seen(state.phase) };
  if (state.started || position === state.lastPosition) return { state: next, events: [] };
  return { state: { ...next, lastPosition: position }, events: [{ type: 'queued', position }] };
}

/** The end of the run from /history, or after `historyWaitMs` the outputs the socket reported, or back to polling. */
function onEndingHistory(state: FollowState, phase: Extract<FollowPhase, { name: 'ending' }>, entry: HistoryEntry | undefined, at: number, settings: FollowSettings): FollowStep {
  const counted: FollowState = { ...state, phase: { ...phase, tries: phase.tries + 1 } };
  const terminal = entry ? terminalFromHistory(entry, state.outputs, state.successAt, at) : undefined;
  if (terminal) {
    const next = startedEvent(counted, at);
    return finish(next.state, [...next.events, terminal]);
  }
  if (at - phase.since < settings.historyWaitMs) return { state: counted, events: [] };
  if (state.successAt !== undefined && Object.keys(state.outputs).length > 0) {
    return { ...finish(counted, [{ type: 'succeeded', outputs: { ...state.outputs }, at: state.successAt }]), note: { level: 'warn', message: 'no history after success; using the outputs the socket reported' } };
  }
  // No history and nothing collected: ask /queue at once whether it is still there.
  return { state: { ...counted, phase: { name: 'unsure', misses: phase.misses }, poll: { ...counted.poll, due: true } }, events: [] };
}

/** /queue did not list the prompt: /history says whether it ended or ComfyUI forgot it. */
function onLookup(state: FollowState, entry: HistoryEntry | undefined, at: number, settings: FollowSettings): FollowStep {
  const terminal = entry ? terminalFromHistory(entry, state.outputs, state.successAt, at) : undefined;
  if (terminal) {
    const next = startedEvent(state, at);
    return finish(next.state, [...next.events, terminal]);
  }
  const misses = (state.phase.name === 'unsure' ? state.phase.misses : 0) + 1;
  const phase: FollowPhase = misses >= settings.lostAfterChecks ? { name: 'lost', misses } : { name: 'unsure', misses };
  return { state: { ...state, phase }, events: [], note: { level: 'debug', message: 'prompt in neither queue nor history', fields: { misses } } };
}
