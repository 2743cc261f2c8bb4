import { afterEach, expect, it } from 'vitest';
import { createJobId, enqueueJob } from '../../src/queue/index.ts';
import { sampleJob } from '../support/jobs.ts';
import { is } from './helpers.ts';
import { openWorld, quickTuning, type World } from '../support/world.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

it("a member's progress bar never goes backwards, through previews and the low-noise expert loading after the high-noise pass", async () => {
  world = await openWorld({ simulators: { knobs: { secondsPerStep: 0.05, previews: true } }, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
  const { queue: ctx, recorded, input } = world;
  await world.startWorker({ tuning: { pipeline: { pollIntervalMs: 100, progressIntervalMs: 0, previewIntervalMs: 0 } } });
  // Two jobs: the second runs with its loaders cached, the first loads both experts.
  const first = await enqueueJob(ctx, sampleJob({ image: input, options: { preset: 'quality', steps: 8, frames: 25 } }), { jobId: createJobId() });
  const second = await enqueueJob(ctx, sampleJob({ image: input, options: { preset: 'quality', steps: 8, frames: 25, seed: 7 } }), { jobId: createJobId() });
  await recorded.waitFor(is.delivered(first));
  await recorded.waitFor(is.delivered(second));
  for (const jobId of [first, second]) {
    const percents = recorded.of('progress', jobId).map((call) => call.progress.percent);
    expect(percents.length).toBeGreaterThan(5);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(recorded.of('progress', jobId).some((call) => call.progress.stage === 'low_noise' && call.progress.step)).toBe(true);
  }
});
