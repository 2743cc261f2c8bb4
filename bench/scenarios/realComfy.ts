import { createComfyClient, type ComfyClient, type HistoryEntry } from '../../src/comfy/index.ts';
import { enqueueJob } from '../../src/queue/index.ts';
import { promptIdFor } from '../../src/worker/promptId.ts';
import { storeSampleJob } from '../../test/support/jobs.ts';
import { openWorld } from '../../test/support/world.ts';
import { RIG_VERSIONS, rigAvailable, startRig, type Rig, type RigVersion } from '../../test/real/rig.ts';
import { perfNow, until } from '../lib/clock.ts';
import { queueDirectly } from '../lib/floor.ts';
import { twelveMegapixelJpeg } from '../lib/media.ts';
import { endingReporter } from '../lib/reporter.ts';
import { benchJobOptions, skippedRow, type Scenario } from '../lib/scenario.ts';
import { round, summarize } from '../lib/stats.ts';
import type { Figure } from '../lib/table.ts';

/**
 * Against a real ComfyUI: COMFYUI_URL's, or else both versions of the test rig
 * (../shared/comfyui-rig, started and stopped here; RIG_VERSIONS narrows). The bench's
 * fast 17-frame 320×192 jobs. A real server does not say when a request arrived, so
 * "prompt seen" is when the prompt first shows in its /queue (polled every 5 ms). The GPU
 * gap comes from the execution_start and execution_success timestamps ComfyUI writes in
 * /history, for jobs pre-queued through the worker and, as the floor, for prompts a bare
 * client POSTed back to back in the same run.
 */

const LATENCY_SAMPLES = 5;
const JOBS = 4;

const stamp = (entry: HistoryEntry | undefined, kind: string) => {
  const timestamp = entry?.status?.messages.find((message) => message.type === kind)?.data.timestamp;
  return typeof timestamp === 'number' ? timestamp : undefined;
};

/** Idle ms between one prompt's end and the next one's start, from ComfyUI's own clock. */
async function gapsOf(client: ComfyClient, promptIds: Iterable<string>): Promise<number[]> {
  const runs = (await Promise.all([...promptIds].map((id) => client.getHistory(id))))
    .map((entry) => ({ start: stamp(entry, 'execution_start'), end: stamp(entry, 'execution_success') }))
    .filter((run): run is { start: number; end: number } => run.start !== undefined && run.end !== undefined)
    .sort((a, b) => a.start - b.start);
  return runs.slice(1).map((run, i) => run.start - runs[i]!.end);
}

async function measure(url: string, label: string): Promise<Figure[]> {
  const client = createComfyClient({ baseUrl: url });
  const world = await openWorld({ purpose: 'bench', comfyUrls: [url] });
  const reporter = endingReporter();
  const worker = await world.startWorker({ reports: reporter });
  const storeJob = (image: Buffer, seed: number) => storeSampleJob(world, image, { options: { ...benchJobOptions, seed } });
  const enqueue = (job: { jobId: string; data: Parameters<typeof enqueueJob>[1] }) => enqueueJob(world.queue, job.data, { jobId: job.jobId, attempts: 1 });
  try {
    await worker.ready;
    const jpeg = await twelveMegapixelJpeg();
    const seen = async (promptId: string) => {
      const queue = await client.getQueue();
      return [...queue.running, ...queue.pending].some((item) => item.promptId === promptId) || (await client.getHistory(promptId)) !== undefined;
    };
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const job = await storeJob(jpeg, 900 + i);
      const t0 = perfNow();
      await enqueue(job);
      await until(() => seen(promptIdFor(job.jobId, 1)), 'the prompt in ComfyUI', 120_000, 5);
      latencies.push(perfNow() - t0);
      await reporter.ended(job.jobId);
    }
    const burst = await Promise.all(Array.from({ length: JOBS }, (_, i) => storeJob(jpeg, 950 + i)));
    for (const job of burst) await enqueue(job);
    await Promise.all(burst.map((job) => reporter.ended(job.jobId)));
    const gaps = await gapsOf(client, burst.map((job) => promptIdFor(job.jobId, 1)));
    const floorGaps = await gapsOf(client, await queueDirectly(url, JOBS, Date.now() % 1_000_000));

    const l = summarize(latencies);
    const g = summarize(gaps);
    const f = summarize(floorGaps);
    return [
      { id: 'real_enqueue_to_prompt', label: `${label}: enqueue → prompt seen in /queue`, unit: 'ms', ...l, median: round(l.median), budget: '< 250 ms', pass: l.median < 250, note: '12 MP JPEG, idle worker; /queue polled every 5 ms' },
      { id: 'real_gpu_gap_floor', label: `${label}: GPU idle gap, floor (bare client, back to back)`, unit: 'ms', ...f, median: round(f.median), budget: 'reference', pass: undefined, note: 'history timestamps' },
      {
        id: 'real_gpu_gap',
        label: `${label}: GPU idle gap, worker, ${JOBS} pre-queued jobs`,
        unit: 'ms',
        ...g,
        median: round(g.median),
        budget: '≤ floor + 10 ms',
        pass: g.n > 0 && f.n > 0 ? g.median <= f.median + 10 : undefined,
        note: 'history timestamps',
      },
    ];
  } finally {
    await world.close();
  }
}

export const realComfy: Scenario = {
  name: 'real ComfyUI',
  figureIds: ['real_enqueue_to_prompt', 'real_gpu_gap_floor', 'real_gpu_gap'],
  async run() {
    const url = process.env.COMFYUI_URL?.split(',')[0]?.trim();
    if (url) return measure(url, `real ComfyUI at ${url}`);
    if (!rigAvailable()) return [skippedRow('real_enqueue_to_prompt', 'real ComfyUI', 'no COMFYUI_URL and no ../shared/comfyui-rig')];
    const versions = (process.env.RIG_VERSIONS?.split(',') ?? RIG_VERSIONS).map((v) => v.trim()) as RigVersion[];
    const rows: Figure[] = [];
    for (const version of versions) {
      let rig: Rig | undefined;
      try {
        rig = await startRig({ version });
        rows.push(...(await measure(rig.url, `ComfyUI ${version} (rig, CPU stand-ins)`)));
      } finally {
        await rig?.stop();
      }
    }
    return rows;
  },
};
