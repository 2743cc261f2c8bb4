import { afterEach, expect, it } from 'vitest';
import { createJobId, enqueueJob } from '../../src/queue/index.ts';
import { is, tinyJob } from './helpers.ts';
import { createHarness, type Harness } from './workerHarness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

it("a member's progress bar never goes backwards, through previews and the low-noise expert loading after the high-noise pass", async () => {
  harness = await createHarness({ knobs: { secondsPerStep: 0.05, previews: true } });
  const { ctx, recorded, input } = harness;
  await harness.startTestWorker({ tuning: { pipeline: { pollIntervalMs: 100, progressIntervalMs: 0, previewIntervalMs: 0 } } });
  // Two jobs: the second runs with its loaders cached, the first loads both experts.
  const first = await enqueueJob(ctx, tinyJob(input, { preset: 'quality', steps: 8, frames: 25 }), { jobId: createJobId() });
  const second = await enqueueJob(ctx, tinyJob(input, { preset: 'quality', steps: 8, frames: 25, seed: 7 }), { jobId: createJobId() });
  await recorded.waitFor(is.delivered(first));
  await recorded.waitFor(is.delivered(second));
  for (const jobId of [first, second]) {
    const percents = recorded.of('progress', jobId).map((call) => call.progress.percent);
    expect(percents.length).toBeGreaterThan(5);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(recorded.of('progress', jobId).some((call) => call.progress.stage === 'low_noise' && call.progress.step)).toBe(true);
  }
});
