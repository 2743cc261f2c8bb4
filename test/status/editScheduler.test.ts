import { describe, expect, it } from 'vitest';
import { createEditScheduler, type EditPriority, type EditTarget } from '../../src/status/editScheduler.ts';
import { manualClock } from './manualClock.ts';

type Sent = { at: number; messageId: string; payload: string; priority: EditPriority };

function setup(options: { fail?: (n: number) => boolean; waitingChannelIntervalMs?: number } = {}) {
  const clock = manualClock();
  const sent: Sent[] = [];
  let attempts = 0;
  const scheduler = createEditScheduler<string>(
    async (target: EditTarget, payload, priority) => {
      attempts += 1;
      if (options.fail?.(attempts)) throw new Error('429 Too Many Requests');
      sent.push({ at: clock.now(), messageId: target.messageId, payload, priority });
      return 'sent';
    },
    { clock, intervalMs: 2000, waitingChannelIntervalMs: options.waitingChannelIntervalMs ?? 0 },
  );
  return { clock, sent, scheduler };
}

const msg = (messageId: string, channelId = 'c1') => ({ channelId, messageId });

describe('the edit scheduler', () => {
  it('sends the first edit at once and coalesces the rest: the latest state wins', async () => {
    const { clock, sent, scheduler } = setup();
    scheduler.submit(msg('m1'), 'step 1', { priority: 'running' });
    for (let step = 2; step <= 9; step++) scheduler.submit(msg('m1'), `step ${step}`, { priority: 'running' });
    await clock.advance(0);
    expect(sent.map((s) => s.payload)).toEqual(['step 1']);
    await clock.advance(2000);
    expect(sent.map((s) => s.payload)).toEqual(['step 1', 'step 9']);
  });

  it('keeps edits of one message at least the interval apart', async () => {
    const { clock, sent, scheduler } = setup();
    for (let i = 0; i < 20; i++) {
      scheduler.submit(msg('m1'), `p${i}`, { priority: 'running' });
      await clock.advance(300);
    }
    await clock.advance(5000);
    const gaps = sent.slice(1).map((s, i) => s.at - sent[i]!.at);
    expect(gaps.every((gap) => gap >= 2000)).toBe(true);
    expect(sent.at(-1)?.payload).toBe('p19');
  });

  it('sends a final state at once, without waiting out the interval of the progress edit before it', async () => {
    const { clock, sent, scheduler } = setup();
    scheduler.submit(msg('m1'), 'encoding', { priority: 'running' });
    await clock.advance(100);
    scheduler.submit(msg('m1'), 'done', { priority: 'final' });
    await clock.advance(0);
    expect(sent.map((s) => s.payload)).toEqual(['encoding', 'done']);
    expect(sent[1]!.at - sent[0]!.at).toBe(100);
  });

  it('spaces the next edit from an edit made elsewhere (the interaction token\'s first edit)', async () => {
    const { clock, sent, scheduler } = setup();
    scheduler.noteSent(msg('m1'));
    scheduler.submit(msg('m1'), 'step 1', { priority: 'running' });
    await clock.advance(1999);
    expect(sent).toEqual([]);
    await clock.advance(1);
    expect(sent.map((s) => s.payload)).toEqual(['step 1']);
  });

  it('never lets a late progress edit overwrite a final state', async () => {
    const { clock, sent, scheduler } = setup();
    scheduler.submit(msg('m1'), 'running', { priority: 'running' });
    scheduler.submit(msg('m1'), 'done', { priority: 'final' });
    scheduler.submit(msg('m1'), 'late progress', { priority: 'running' });
    await clock.advance(10_000);
    scheduler.submit(msg('m1'), 'later progress', { priority: 'waiting' });
    await clock.advance(10_000);
    expect(sent.map((s) => s.payload)).toEqual(['running', 'done']);
    expect(scheduler.isFinalSent('m1')).toBe(true);
  });

  it('sends finals before running edits, and running edits before waiting ones, in a channel', async () => {
    const { clock, sent, scheduler } = setup();
    scheduler.submit(msg('w2'), 'waiting 2', { priority: 'waiting', rank: 2 });
    scheduler.submit(msg('w1'), 'waiting 1', { priority: 'waiting', rank: 1 });
    scheduler.submit(msg('r'), 'running', { priority: 'running' });
    scheduler.submit(msg('f'), 'final', { priority: 'final' });
    await clock.advance(0);
    // The first submit went out at once; the others waited their turn in the channel.
    expect(sent.map((s) => s.payload)).toEqual(['waiting 2', 'final', 'running', 'waiting 1']);
  });

  it('spaces waiting edits in a channel so a long queue does not eat the rate limit', async () => {
    const { clock, sent, scheduler } = setup({ waitingChannelIntervalMs: 3000 });
    for (let i = 1; i <= 5; i++) scheduler.submit(msg(`w${i}`), `position ${i}`, { priority: 'waiting', rank: i });
    await clock.advance(0);
    expect(sent.map((s) => s.payload)).toEqual(['position 1']);
    await clock.advance(3000);
    expect(sent.map((s) => s.payload)).toEqual(['position 1', 'position 2']);
  });

  it('absorbs a storm of failures and still delivers the final state', async () => {
    const { clock, sent, scheduler } = setup({ fail: (n) => n <= 4 });
    scheduler.submit(msg('m1'), 'done', { priority: 'final' });
    await clock.advance(120_000);
    expect(sent.map((s) => s.payload)).toEqual(['done']);
    await scheduler.idle();
  });

  it('resends the latest state, not the one that failed', async () => {
    const { clock, sent, scheduler } = setup({ fail: (n) => n === 1 });
    scheduler.submit(msg('m1'), 'old', { priority: 'running' });
    scheduler.submit(msg('m1'), 'new', { priority: 'running' });
    await clock.advance(60_000);
    expect(sent.map((s) => s.payload)).toEqual(['new']);
  });
});
