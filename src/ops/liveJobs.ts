import type { QueueContext } from '../queue/context.ts';
import type { LiveJob } from './retention.ts';

/** Every BullMQ state of a job that is not finished (a paused queue keeps its jobs in waiting). */
const UNFINISHED = ['waiting', 'prioritized', 'delayed', 'active', 'waiting-children'] as const;

/** The unfinished jobs and the files they read, for the retention sweep. Data is read loosely: a job we cannot parse still keeps its id's files. */
export async function listLiveJobs(ctx: QueueContext): Promise<LiveJob[]> {
  const jobs = await ctx.queue.getJobs([...UNFINISHED]);
  return jobs.flatMap((job) => {
    if (!job?.id) return [];
    const data = job.data as { input?: { path?: unknown }; source?: { videoPath?: unknown }; extend?: { videoPath?: unknown } } | undefined;
    // An ⏩ extension reads its parent's clip when it is joined, long after it was queued.
    const paths = [data?.input?.path, data?.source?.videoPath, data?.extend?.videoPath].filter((path): path is string => typeof path === 'string');
    return [{ id: job.id, paths }];
  });
}
