import type { Job } from 'bullmq';
import type { QueueContext } from './context.ts';
import { findJobIdByMessage } from './enqueueJob.ts';
import { getCancelMarker, getFailure, getRun } from './jobRecords.ts';
import { jobDataSchema, jobProgressSchema, jobResultSchema, type JobData, type JobProgress, type JobResult, type JobRun, type JobFailure } from './schemas.ts';

/** A job's state in our words: BullMQ's, plus `cancelled` (a failed or removed job with a cancel marker). */
export const JOB_STATES = ['waiting', 'delayed', 'active', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export type QueueJob = {
  id: string;
  state: JobState;
  data: JobData;
  progress: JobProgress | undefined;
  result: JobResult | undefined;
  failure: JobFailure | undefined;
  /** 0 = next to run; only for waiting jobs. */
  position: number | undefined;
  /** Where it runs or ran on ComfyUI. */
  run: JobRun | undefined;
  attemptsMade: number;
  createdAt: number;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  cancelledBy: string | undefined;
};

/** BullMQ's state names folded into ours (`prioritized` and `waiting-children` are waiting to us). */
function foldState(state: string): JobState | undefined {
  switch (state) {
    case 'waiting':
    case 'prioritized':
    case 'waiting-children':
    case 'paused':
      return 'waiting';
    case 'delayed':
    case 'active':
    case 'completed':
    case 'failed':
      return state;
    default:
      return undefined;
  }
}

/** Job ids in the order they will run: waiting first (next first), then retries waiting out their backoff. */
export async function waitingOrder(ctx: QueueContext): Promise<string[]> {
  const waiting = await ctx.queue.getRanges(['prioritized', 'waiting'], 0, -1, true);
  const delayed = await ctx.queue.getRanges(['delayed'], 0, -1, true);
  return [...waiting, ...delayed];
}

async function viewOf(ctx: QueueContext, job: Job<JobData, JobResult>, order?: string[]): Promise<QueueJob | undefined> {
  const id = job.id;
  if (!id) return undefined;
  const data = jobDataSchema.safeParse(job.data);
  if (!data.success) {
    ctx.logger.warn({ jobId: id, issues: data.error.issues }, 'job data in redis does not match the schema');
    return undefined;
  }
  const bullState = foldState(await job.getState());
  if (!bullState) return undefined;
  const [failure, run, marker] = await Promise.all([getFailure(ctx, id), getRun(ctx, id), getCancelMarker(ctx, id)]);
  const state: JobState = bullState === 'failed' && marker ? 'cancelled' : bullState;
  const progress = jobProgressSchema.safeParse(job.progress);
  const result = state === 'completed' ? jobResultSchema.safeParse(job.returnvalue) : undefined;
  let position: number | undefined;
  if (state === 'waiting' || state === 'delayed') {
    const index = (order ?? (await waitingOrder(ctx))).indexOf(id);
    position = index >= 0 ? index : undefined;
  }
  return {
    id,
    state,
    data: data.data,
    progress: progress.success ? progress.data : undefined,
    result: result?.success ? result.data : undefined,
    failure,
    position,
    run,
    attemptsMade: job.attemptsMade,
    createdAt: data.data.createdAt,
    startedAt: job.processedOn ?? undefined,
    finishedAt: job.finishedOn ?? undefined,
    cancelledBy: marker?.by,
  };
}

/** A removed waiting job lives on only as its cancel marker. */
async function cancelledRemnant(ctx: QueueContext, jobId: string): Promise<QueueJob | undefined> {
  const marker = await getCancelMarker(ctx, jobId);
  if (!marker?.data) return undefined;
  return {
    id: jobId,
    state: 'cancelled',
    data: marker.data,
    progress: undefined,
    result: undefined,
    failure: undefined,
    position: undefined,
    run: await getRun(ctx, jobId),
    attemptsMade: 0,
    createdAt: marker.data.createdAt,
    startedAt: undefined,
    finishedAt: marker.at,
    cancelledBy: marker.by,
  };
}

export async function getJob(ctx: QueueContext, jobId: string, order?: string[]): Promise<QueueJob | undefined> {
  const job = (await ctx.queue.getJob(jobId)) as Job<JobData, JobResult> | undefined;
  if (!job) return cancelledRemnant(ctx, jobId);
  return (await viewOf(ctx, job, order)) ?? cancelledRemnant(ctx, jobId);
}

export async function findJobByMessage(ctx: QueueContext, messageId: string): Promise<QueueJob | undefined> {
  const jobId = await findJobIdByMessage(ctx, messageId);
  return jobId ? getJob(ctx, jobId) : undefined;
}

/** A member's most recent jobs, newest first. */
export async function listUserJobs(ctx: QueueContext, userId: string, limit = 10): Promise<QueueJob[]> {
  const ids = await ctx.redis.zrevrange(ctx.keys.user(userId), 0, limit - 1);
  const order = await waitingOrder(ctx);
  const jobs = await Promise.all(ids.map((id) => getJob(ctx, id, order)));
  return jobs.filter((job): job is QueueJob => job !== undefined);
}

async function countUserJobsIn(ctx: QueueContext, userId: string, states: readonly JobState[]): Promise<number> {
  // Per-user limits are small numbers: the newest 50 are plenty to count.
  const ids = await ctx.redis.zrevrange(ctx.keys.user(userId), 0, 49);
  const bullStates = await Promise.all(ids.map((id) => ctx.queue.getJobState(id)));
  return bullStates.filter((state) => {
    const folded = foldState(state);
    return folded !== undefined && states.includes(folded);
  }).length;
}

/** Jobs of a member that have not started yet (waiting, or a retry waiting out its backoff). */
export function countWaitingForUser(ctx: QueueContext, userId: string): Promise<number> {
  return countUserJobsIn(ctx, userId, ['waiting', 'delayed']);
}

export type QueueCounts = { waiting: number; delayed: number; active: number; completed: number; failed: number; paused: boolean };

export async function counts(ctx: QueueContext): Promise<QueueCounts> {
  const raw = await ctx.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
  return {
    waiting: (raw.waiting ?? 0) + (raw.prioritized ?? 0),
    delayed: raw.delayed ?? 0,
    active: raw.active ?? 0,
    completed: raw.completed ?? 0,
    failed: raw.failed ?? 0,
    paused: await ctx.queue.isPaused(),
  };
}

/**
 * Jobs in some states for the admin list: waiting ones in run order, running ones,
 * then finished ones newest first. `cancelled` lists failed jobs that were cancelled
 * (removed waiting jobs are not listed: BullMQ no longer holds them).
 */
export async function listJobs(ctx: QueueContext, options: { states: readonly JobState[]; limit?: number }): Promise<QueueJob[]> {
  const limit = options.limit ?? 25;
  const wanted = new Set(options.states);
  const order = await waitingOrder(ctx);
  const ids: string[] = [];
  if (wanted.has('waiting') || wanted.has('delayed')) ids.push(...order);
  if (wanted.has('active')) ids.push(...(await ctx.queue.getRanges(['active'], 0, -1, true)));
  if (wanted.has('completed')) ids.push(...(await ctx.queue.getRanges(['completed'], 0, limit - 1, false)));
  if (wanted.has('failed') || wanted.has('cancelled')) ids.push(...(await ctx.queue.getRanges(['failed'], 0, limit * 4 - 1, false)));
  const views: QueueJob[] = [];
  for (const id of ids) {
    if (views.length >= limit) break;
    const view = await getJob(ctx, id, order);
    if (view && wanted.has(view.state)) views.push(view);
  }
  return views;
}
