import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { prepareImage } from '../../src/media/index.ts';
import { startComfySimulator } from '../../src/simulator/index.ts';
import { enqueueJob } from '../../src/queue/index.ts';
import { promptIdFor } from '../../src/worker/promptId.ts';
import { storeSampleJob } from '../../test/support/jobs.ts';
import { openWorld } from '../../test/support/world.ts';
import { perfNow, until } from '../lib/clock.ts';
import { twelveMegapixelJpeg } from '../lib/media.ts';
import { endingReporter } from '../lib/reporter.ts';
import { benchJobOptions, type Scenario } from '../lib/scenario.ts';
import { round, summarize } from '../lib/stats.ts';
import type { Figure } from '../lib/table.ts';

/**
 * Job enqueued → ComfyUI /prompt received, with a 12-megapixel JPEG stored the way /i2v
 * stores it, on an idle worker: one job at a time, each waited out before the next.
 * The clock starts just before enqueueJob and stops at the simulator's receivedAt.
 */

const RUNS = 8;

export const enqueueToPrompt: Scenario = {
  name: 'enqueue → /prompt',
  figureIds: ['enqueue_to_prompt'],
  async run() {
    const simulator = await startComfySimulator({ knobs: { secondsPerStep: 0 } });
    const world = await openWorld({ purpose: 'bench', comfyUrls: [simulator.url] });
    const reporter = endingReporter();
    try {
      await world.startWorker({ reports: reporter, ownQueue: true });
      const jpeg = await twelveMegapixelJpeg();
      const samples: number[] = [];
      let stored = { width: 0, height: 0, bytes: 0, path: '' };
      for (let i = 0; i < RUNS + 1; i++) {
        const job = await storeSampleJob(world, jpeg, { options: { ...benchJobOptions, seed: 1000 + i } });
        stored = { ...job.data.input, bytes: (await readFile(job.data.input.path)).length };
        const startedAt = perfNow();
        await enqueueJob(world.queue, job.data, { jobId: job.jobId, attempts: 1 });
        const entry = await until(() => simulator.timeline.find((t) => t.promptId === promptIdFor(job.jobId, 1)), `prompt of ${job.jobId}`);
        await reporter.ended(job.jobId);
        // The first run warms sharp, the sockets and BullMQ's scripts; a member's first job after a restart pays that once.
        if (i > 0) samples.push(entry.receivedAt - startedAt);
      }
      // The largest piece, measured alone: decoding the stored PNG and resizing it for the workflow.
      const png = await readFile(stored.path);
      const t0 = perfNow();
      await prepareImage(png, { width: 320, height: 192, maxPixels: world.config.MAX_INPUT_PIXELS });
      const prepareMs = perfNow() - t0;
      const meta = await sharp(png).metadata();
      const s = summarize(samples);
      const figure: Figure = {
        id: 'enqueue_to_prompt',
        label: 'enqueue → /prompt (12 MP JPEG, idle)',
        unit: 'ms',
        ...s,
        median: round(s.median),
        budget: '< 250 ms',
        pass: s.median < 250,
        note: `stored ${meta.width}×${meta.height} PNG ${(stored.bytes / 1e6).toFixed(1)} MB; prepareImage alone ${prepareMs.toFixed(0)} ms`,
      };
      return [figure];
    } finally {
      await world.close();
      await simulator.close();
    }
  },
};
