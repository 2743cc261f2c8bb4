import { createComfyClient } from '../../src/comfy/index.ts';
import { enqueueJob } from '../../src/queue/index.ts';
import { promptIdFor } from '../../src/worker/promptId.ts';
import { storeSampleJob } from '../../test/support/jobs.ts';
import { openWorld } from '../../test/support/world.ts';
import { perfNow, until } from '../lib/clock.ts';
import { twelveMegapixelJpeg } from '../lib/media.ts';
import { endingReporter } from '../lib/reporter.ts';
import { benchJobOptions, skippedRow, type Scenario } from '../lib/scenario.ts';
import { round, summarize } from '../lib/stats.ts';
import type { Figure } from '../lib/table.ts';

/**
 * With COMFYUI_URL set: the same two figures against a real ComfyUI (its GPU, its
 * models; the bench's fast 17-frame 320×192 jobs). A real server does not say when a
 * request arrived, so "/prompt received" is when the prompt first shows in its /queue
 * (polled every 5 ms), and the GPU gap comes from the execution_start and
 * execution_success timestamps it records in /history (0.3.65 and later).
 */

const JOBS = 4;

type Timed = { status?: { messages?: Array<[string, { timestamp?: number }]> } };
const stamp = (entry: Timed | undefined, kind: string) => entry?.status?.messages?.find(([k]) => k === kind)?.[1].timestamp;

export const realComfy: Scenario = {
  name: 'real ComfyUI',
  figureIds: ['real_enqueue_to_prompt', 'real_gpu_gap'],
  async run() {
    const url = process.env.COMFYUI_URL?.split(',')[0]?.trim();
    if (!url) return [skippedRow('real_enqueue_to_prompt', 'real ComfyUI: enqueue → /prompt', 'no COMFYUI_URL'), skippedRow('real_gpu_gap', 'real ComfyUI: GPU idle gap', 'no COMFYUI_URL')];
    const client = createComfyClient({ baseUrl: url });
    const world = await openWorld({ purpose: 'bench', comfyUrls: [url] });
    const reporter = endingReporter();
    try {
      await world.startWorker({ reports: reporter, ownQueue: true });
      const jpeg = await twelveMegapixelJpeg();
      const inQueue = async (promptId: string) => {
        const queue = await client.getQueue();
        return [...queue.running, ...queue.pending].some((item) => JSON.stringify(item).includes(promptId)) || (await client.getHistory(promptId)) !== undefined;
      };
      const latencies: number[] = [];
      for (let i = 0; i < 2; i++) {
        const job = await storeSampleJob(world, jpeg, { options: { ...benchJobOptions, seed: 900 + i } });
        const t0 = perfNow();
        await enqueueJob(world.queue, job.data, { jobId: job.jobId, attempts: 1 });
        await until(() => inQueue(promptIdFor(job.jobId, 1)), 'the prompt in ComfyUI', 120_000, 5);
        latencies.push(perfNow() - t0);
        await reporter.ended(job.jobId);
      }
      const burst = await Promise.all(Array.from({ length: JOBS }, (_, i) => storeSampleJob(world, jpeg, { options: { ...benchJobOptions, seed: 950 + i } })));
      for (const job of burst) await enqueueJob(world.queue, job.data, { jobId: job.jobId, attempts: 1 });
      await Promise.all(burst.map((job) => reporter.ended(job.jobId)));
      const runs = (await Promise.all(burst.map((job) => client.getHistory(promptIdFor(job.jobId, 1)))))
        .map((entry) => ({ start: stamp(entry as Timed, 'execution_start'), end: stamp(entry as Timed, 'execution_success') }))
        .filter((r): r is { start: number; end: number } => r.start !== undefined && r.end !== undefined)
        .sort((a, b) => a.start - b.start);
      const gaps = runs.slice(1).map((r, i) => r.start - runs[i]!.end);
      const l = summarize(latencies);
      const g = summarize(gaps);
      const rows: Figure[] = [
        { id: 'real_enqueue_to_prompt', label: 'real ComfyUI: enqueue → /prompt', unit: 'ms', ...l, median: round(l.median), budget: '< 250 ms', pass: l.median < 250, note: 'seen in /queue, polled' },
        { id: 'real_gpu_gap', label: 'real ComfyUI: GPU idle gap', unit: 'ms', ...g, median: round(g.median), budget: '< 50 ms', pass: g.n > 0 ? g.median < 50 : undefined, note: 'history timestamps' },
      ];
      return rows;
    } finally {
      await world.close();
    }
  },
};
