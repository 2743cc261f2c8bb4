import { Worker, type Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clearWaiting,
  countWaitingForUser,
  counts,
  createJobId,
  enqueueJob,
  estimateDuration,
  findJobByMessage,
  formulaDurationMs,
  getJob,
  isCancelRequested,
  isJobId,
  isPaused,
  listJobs,
  listUserJobs,
  pauseQueue,
  recordDuration,
  recordFailure,
  recordRun,
  requestCancel,
  resumeQueue,
  retryFailed,
  setDiscordTarget,
  subscribeToCancels,
  waitingOrder,
  type QueueContext,
} from '../../src/queue/index.ts';
import { QUEUE_NAME } from '../../src/queue/keys.ts';
import type { CancelMessage } from '../../src/queue/schemas.ts';
import { UnrecoverableError } from 'bullmq';
import { sampleJob } from '../support/jobs.ts';
import { createTestQueueContext, destroyTestQueueContext } from './helpers.ts';

const contexts: QueueContext[] = [];
const workers: Worker[] = [];
function context(): QueueContext {
  const ctx = createTestQueueContext({ backoffMs: 10 });
  contexts.push(ctx);
  return ctx;
}

afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.close(true);
  for (const ctx of contexts.splice(0)) await destroyTestQueueContext(ctx);
});

/** A worker that holds every job until released, to have a running job to look at. */
function holdingWorker(ctx: QueueContext) {
  const started: string[] = [];
  const waiters: Array<() => void> = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const worker = new Worker(
    QUEUE_NAME,
    async (job: Job, _token?: string, signal?: AbortSignal) => {
      started.push(job.id ?? '');
      for (const waiter of waiters.splice(0)) waiter();
      await Promise.race([released, new Promise((resolve) => signal?.addEventListener('abort', resolve))]);
      if (signal?.aborted) throw new UnrecoverableError('cancelled');
      return undefined;
    },
    { connection: ctx.connect('test-worker'), prefix: ctx.prefix, concurrency: 1 },
  );
  workers.push(worker);
  const nextStart = () => new Promise<void>((resolve) => waiters.push(resolve));
  return { worker, started, release, nextStart };
}

describe('job ids', () => {
  it('are short, URL-safe, free of colons and never look like integers', () => {
    const ids = new Set(Array.from({ length: 500 }, () => createJobId()));
    expect(ids.size).toBe(500);
    for (const id of ids) {
      expect(id).toMatch(/^[a-z][a-z2-9]{9}$/);
      expect(isJobId(id)).toBe(true);
    }
    expect(isJobId('12:34')).toBe(false);
  });
});

describe('enqueueing and reading back', () => {
  it('a job is found by id, by its Discord message and in its member list, in run order', async () => {
    const ctx = context();
    const first = await enqueueJob(ctx, sampleJob({ discord: { channelId: '1', messageId: 'm1' } }), { jobId: createJobId() });
    const second = await enqueueJob(ctx, sampleJob({ createdAt: Date.now() + 1 }), { jobId: createJobId() });
    expect(await waitingOrder(ctx)).toEqual([first, second]);

    const view = await getJob(ctx, second);
    expect(view).toMatchObject({ id: second, state: 'waiting', position: 1, data: { options: { preset: 'fast' } } });
    expect((await findJobByMessage(ctx, 'm1'))?.id).toBe(first);
    expect((await listUserJobs(ctx, '100000000000000001')).map((job) => job.id)).toEqual([second, first]);
    expect(await countWaitingForUser(ctx, '100000000000000001')).toBe(2);
    expect(await countWaitingForUser(ctx, 'someone-else')).toBe(0);
    expect(await counts(ctx)).toMatchObject({ waiting: 2, active: 0, paused: false });
  });

  it('refuses job data that does not match the schema', async () => {
    const ctx = context();
    const bad = { ...sampleJob(), sizeLimit: -1 };
    await expect(enqueueJob(ctx, bad, { jobId: createJobId() })).rejects.toThrow();
    expect((await counts(ctx)).waiting).toBe(0);
  });

  it('a status message moved to a new message keeps pointing at its job', async () => {
    const ctx = context();
    const jobId = await enqueueJob(ctx, sampleJob({ discord: { channelId: '1', messageId: 'old' } }), { jobId: createJobId() });
    await setDiscordTarget(ctx, jobId, { channelId: '1', messageId: 'new' });
    expect((await findJobByMessage(ctx, 'new'))?.data.discord?.messageId).toBe('new');
  });

  it('records runs, failures and durations beside the job', async () => {
    const ctx = context();
    const jobId = await enqueueJob(ctx, sampleJob(), { jobId: createJobId() });
    await recordRun(ctx, jobId, { instance: 'http://gpu1:8188', promptId: `${jobId}-a1`, attempt: 1, submittedAt: 1 });
    await recordFailure(ctx, jobId, { code: 'oom', message: 'Out of memory', retrying: false });
    const view = await getJob(ctx, jobId);
    expect(view?.run?.promptId).toBe(`${jobId}-a1`);
    expect(view?.failure?.code).toBe('oom');

    const key = { instance: 'http://gpu1:8188', preset: 'fast', width: 480, height: 480, frames: 41 };
    const shape = { steps: 6, frames: 41, width: 480, height: 480 };
    expect(await estimateDuration(ctx, key, shape)).toBe(formulaDurationMs(shape));
    for (const ms of [1000, 900, 60_000]) await recordDuration(ctx, key, ms);
    expect(await estimateDuration(ctx, key, shape)).toBe(1000);
    // another instance without history learns from any instance's
    expect(await estimateDuration(ctx, { ...key, instance: 'http://gpu2:8188' }, shape)).toBe(1000);
  });
});

describe('cancel', () => {
  it('a waiting job is removed and still reads as cancelled', async () => {
    const ctx = context();
    const jobId = await enqueueJob(ctx, sampleJob(), { jobId: createJobId() });
    expect(await requestCancel(ctx, jobId, { by: 'member' })).toBe('removed');
    expect(await getJob(ctx, jobId)).toMatchObject({ state: 'cancelled', cancelledBy: 'member' });
    expect(await requestCancel(ctx, jobId, { by: 'member' })).toBe('already_finished');
    expect(await requestCancel(ctx, 'nosuchjob', { by: 'member' })).toBe('not_found');
    expect(await waitingOrder(ctx)).toEqual([]);
  });

  it('a running job is signalled on the channel and marked durably', async () => {
    const ctx = context();
    const heard: CancelMessage[] = [];
    const subscription = subscribeToCancels(ctx, (message) => heard.push(message));
    await subscription.ready;
    const holder = holdingWorker(ctx);
    const started = holder.nextStart();
    const jobId = await enqueueJob(ctx, sampleJob(), { jobId: createJobId() });
    await started;
    const gotMessage = new Promise<void>((resolve) => {
      const check = setInterval(() => heard.length > 0 && (clearInterval(check), resolve()), 5);
    });
    expect(await requestCancel(ctx, jobId, { by: 'admin' })).toBe('signalled');
    await gotMessage;
    expect(heard).toEqual([{ jobId, by: 'admin' }]);
    expect(await isCancelRequested(ctx, jobId)).toBe(true);
    holder.worker.cancelJob(jobId);
    await new Promise<void>((resolve) => holder.worker.once('failed', () => resolve()));
    expect((await getJob(ctx, jobId))?.state).toBe('cancelled');
    await subscription.close();
  });
});

describe('admin steering', () => {
  it('pause keeps jobs waiting; resume lets them run', async () => {
    const ctx = context();
    await pauseQueue(ctx);
    expect(await isPaused(ctx)).toBe(true);
    const holder = holdingWorker(ctx);
    const jobId = await enqueueJob(ctx, sampleJob(), { jobId: createJobId() });
    expect((await getJob(ctx, jobId))?.state).toBe('waiting');
    const started = holder.nextStart();
    await resumeQueue(ctx);
    await started;
    expect((await getJob(ctx, jobId))?.state).toBe('active');
    holder.release();
  });

  it('clearWaiting removes what has not started and leaves the running job alone', async () => {
    const ctx = context();
    const holder = holdingWorker(ctx);
    const started = holder.nextStart();
    const running = await enqueueJob(ctx, sampleJob(), { jobId: createJobId() });
    await started;
    await enqueueJob(ctx, sampleJob(), { jobId: createJobId() });
    await enqueueJob(ctx, sampleJob(), { jobId: createJobId() });
    expect(await clearWaiting(ctx)).toBe(2);
    expect(await listJobs(ctx, { states: ['waiting'] })).toEqual([]);
    expect((await listJobs(ctx, { states: ['active'] })).map((job) => job.id)).toEqual([running]);
    holder.release();
  });

  it('retryFailed retries failed jobs but never cancelled ones', async () => {
    const ctx = context();
    const failing = new Worker(QUEUE_NAME, async (): Promise<undefined> => {
      throw new UnrecoverableError('nope');
    }, { connection: ctx.connect('failing'), prefix: ctx.prefix });
    workers.push(failing);
    const failedIds = new Set<string>();
    const bothFailed = new Promise<void>((resolve) =>
      failing.on('failed', (job) => {
        failedIds.add(job?.id ?? '');
        if (failedIds.size === 2) resolve();
      }),
    );
    const plain = await enqueueJob(ctx, sampleJob(), { jobId: createJobId() });
    const cancelled = await enqueueJob(ctx, sampleJob(), { jobId: createJobId() });
    await ctx.redis.set(ctx.keys.cancel(cancelled), JSON.stringify({ by: 'member', at: Date.now() }));
    await bothFailed;
    await failing.close();
    expect((await getJob(ctx, cancelled))?.state).toBe('cancelled');
    expect(await retryFailed(ctx)).toBe(1);
    expect((await getJob(ctx, plain))?.state).toBe('waiting');
  });
});
