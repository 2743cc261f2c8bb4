import { systemClock, type Clock } from './clock.ts';

/**
 * Coalesces and spaces the edits of status messages (DESIGN invariant 4).
 *
 * - Latest state wins: a message holds at most one pending payload.
 * - Edits of one message are at least `intervalMs` apart.
 * - A final payload is never replaced or followed by a progress or waiting one.
 * - One channel sends one edit at a time (the channel's rate limit is shared), picking
 *   finals first, then running jobs, then waiting ones nearest to running first; waiting
 *   edits in a channel are additionally spaced by `waitingChannelIntervalMs`.
 * - A failed send (429 after discord.js gave up, 5xx, network) keeps the latest state
 *   and tries again later with backoff; `gone` drops the message (deleted, no access).
 */

export type EditTarget = { channelId: string; messageId: string };
export type EditPriority = 'final' | 'running' | 'waiting';
export type SendOutcome = 'sent' | 'gone';

export type EditSchedulerOptions = {
  /** Minimum milliseconds between two edits of one message; default 2000. */
  intervalMs: number;
  /** Minimum milliseconds between two waiting-message edits in one channel; default 3000. */
  waitingChannelIntervalMs: number;
  /** Attempts for a final edit before giving up; default 10. */
  maxFinalAttempts: number;
  clock: Clock;
  /** Told about each failed attempt (for the log). */
  onError: (target: EditTarget, error: unknown, willRetry: boolean) => void;
};

const defaults = {
  intervalMs: 2000,
  waitingChannelIntervalMs: 3000,
  maxFinalAttempts: 10,
  clock: systemClock,
  onError: () => {},
} as const satisfies EditSchedulerOptions;

const priorityOrder: Record<EditPriority, number> = { final: 0, running: 1, waiting: 2 };

type Pending<P> = { payload: P; priority: EditPriority; rank: number };
type MessageState<P> = {
  target: EditTarget;
  pending: Pending<P> | undefined;
  lastSentAt: number;
  failures: number;
  finalSent: boolean;
};
type ChannelState = { inFlight: boolean; timer: unknown; timerAt: number; lastWaitingAt: number };

export type EditScheduler<P> = {
  /** Queue `payload` as the message's latest state. `rank` orders waiting messages (lower first). */
  submit(target: EditTarget, payload: P, options: { priority: EditPriority; rank?: number }): void;
  /** Another writer (the interaction token) just edited this message: space the next edit from now. */
  noteSent(target: EditTarget): void;
  /** True once a final payload for this message has been sent. */
  isFinalSent(messageId: string): boolean;
  /** Forget a message's final state (a failed job sent back to the queue lives again). */
  reopen(messageId: string): void;
  /** Resolves when nothing is pending or in flight (finals included). */
  idle(): Promise<void>;
  /** Stop all timers; pending edits are dropped. */
  close(): void;
};

export function createEditScheduler<P>(
  send: (target: EditTarget, payload: P, priority: EditPriority) => Promise<SendOutcome>,
  options: Partial<EditSchedulerOptions> = {},
): EditScheduler<P> {
  const settings: EditSchedulerOptions = { ...defaults, ...options };
  const { clock } = settings;
  const messages = new Map<string, MessageState<P>>();
  const channels = new Map<string, ChannelState>();
  let idleWaiters: Array<() => void> = [];
  let closed = false;

  const channelOf = (channelId: string): ChannelState => {
    let channel = channels.get(channelId);
    if (!channel) {
      channel = { inFlight: false, timer: undefined, timerAt: 0, lastWaitingAt: -Infinity };
      channels.set(channelId, channel);
    }
    return channel;
  };

  const backoff = (state: MessageState<P>) => settings.intervalMs * 2 ** Math.min(state.failures, 5);
  const dueAt = (state: MessageState<P>, channel: ChannelState): number => {
    // A final edit goes at once: the channel's bucket (one in flight, discord.js's queue) still spaces it; waiting behind a progress edit's interval only delays the video.
    const spacing = state.failures > 0 ? backoff(state) : state.pending?.priority === 'final' ? 0 : settings.intervalMs;
    let at = state.lastSentAt + spacing;
    if (state.pending?.priority === 'waiting') at = Math.max(at, channel.lastWaitingAt + settings.waitingChannelIntervalMs);
    return at;
  };

  const busy = () => [...channels.values()].some((c) => c.inFlight) || [...messages.values()].some((m) => m.pending);
  const checkIdle = () => {
    if (busy()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const pick = (channelId: string, channel: ChannelState, now: number) => {
    let best: MessageState<P> | undefined;
    let earliest = Infinity;
    for (const state of messages.values()) {
      if (state.target.channelId !== channelId || !state.pending) continue;
      const at = dueAt(state, channel);
      if (at > now) {
        earliest = Math.min(earliest, at);
        continue;
      }
      if (!best || compare(state.pending, best.pending!) < 0) best = state;
    }
    return { best, earliest };
  };

  const pump = (channelId: string): void => {
    if (closed) return;
    const channel = channelOf(channelId);
    if (channel.inFlight) return;
    const now = clock.now();
    const { best, earliest } = pick(channelId, channel, now);
    if (!best) {
      if (earliest < Infinity) arm(channelId, channel, earliest - now);
      checkIdle();
      return;
    }
    void sendOne(channelId, channel, best);
  };

  const arm = (channelId: string, channel: ChannelState, delay: number) => {
    const at = clock.now() + delay;
    if (channel.timer !== undefined && channel.timerAt <= at) return;
    if (channel.timer !== undefined) clock.clearTimer(channel.timer);
    channel.timerAt = at;
    channel.timer = clock.setTimer(() => {
      channel.timer = undefined;
      pump(channelId);
    }, Math.max(0, delay));
  };

  const sendOne = async (channelId: string, channel: ChannelState, state: MessageState<P>) => {
    const taken = state.pending!;
    state.pending = undefined;
    channel.inFlight = true;
    try {
      const outcome = await send(state.target, taken.payload, taken.priority);
      // A newer state may have arrived while the edit was in flight.
      const newer = state.pending as Pending<P> | undefined;
      state.lastSentAt = clock.now();
      state.failures = 0;
      if (taken.priority === 'waiting') channel.lastWaitingAt = state.lastSentAt;
      if (outcome === 'gone') {
        state.pending = undefined;
        state.finalSent = true;
      } else if (taken.priority === 'final') {
        state.finalSent = true;
        if (newer?.priority !== 'final') state.pending = undefined;
      }
    } catch (error) {
      state.lastSentAt = clock.now();
      state.failures += 1;
      const giveUp = taken.priority === 'final' ? state.failures >= settings.maxFinalAttempts : state.failures >= 3 && !state.pending;
      settings.onError(state.target, error, !giveUp);
      // The latest state wins: keep what failed only if nothing newer arrived meanwhile.
      if (!giveUp && !state.pending) state.pending = taken;
    } finally {
      channel.inFlight = false;
      prune();
      pump(channelId);
    }
  };

  /** Forget messages whose final state is out, once nothing more can come for them. */
  const prune = () => {
    const horizon = clock.now() - 10 * 60_000;
    for (const [id, state] of messages) {
      if (state.finalSent && !state.pending && state.lastSentAt < horizon) messages.delete(id);
    }
  };

  return {
    submit(target, payload, { priority, rank = 0 }) {
      if (closed) return;
      let state = messages.get(target.messageId);
      if (!state) {
        state = { target, pending: undefined, lastSentAt: -Infinity, failures: 0, finalSent: false };
        messages.set(target.messageId, state);
      }
      if (priority !== 'final' && (state.finalSent || state.pending?.priority === 'final')) return;
      state.pending = { payload, priority, rank };
      pump(target.channelId);
    },
    noteSent(target) {
      const state = messages.get(target.messageId) ?? { target, pending: undefined, lastSentAt: -Infinity, failures: 0, finalSent: false };
      state.lastSentAt = clock.now();
      messages.set(target.messageId, state);
    },
    reopen(messageId) {
      const state = messages.get(messageId);
      if (state && !state.pending) messages.delete(messageId);
      else if (state) state.finalSent = false;
    },
    isFinalSent: (messageId) => messages.get(messageId)?.finalSent ?? false,
    idle() {
      if (!busy()) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    close() {
      closed = true;
      for (const channel of channels.values()) if (channel.timer !== undefined) clock.clearTimer(channel.timer);
      messages.clear();
      checkIdle();
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    },
  };
}

function compare(a: Pending<unknown>, b: Pending<unknown>): number {
  return priorityOrder[a.priority] - priorityOrder[b.priority] || a.rank - b.rank;
}
