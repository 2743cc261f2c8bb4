import { afterEach, describe, expect, it } from 'vitest';
import { probeVideo } from '../../src/media/index.ts';
import { createJobId, enqueueJob, getJob, requestCancel } from '../../src/queue/index.ts';
import { sampleJob } from '../support/jobs.ts';
import { is } from './helpers.ts';
import { openWorld, quickTuning, type World } from '../support/world.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('the worker', () => {
  it('a queued job becomes exactly one playable video, and the job reads as completed', async () => {
    world = await openWorld({ simulators: {}, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
    const { queue: ctx, recorded, input } = world;
    await world.startWorker();
    const jobId = await enqueueJob(ctx, sampleJob({ image: input }), { jobId: createJobId() });
    const delivered = await recorded.waitFor(is.delivered(jobId));
    const video = await probeVideo(delivered.result.videoPath, { ffprobePath: '/usr/bin/ffprobe' });
    expect(video).toMatchObject({ width: 192, height: 128, frames: 17, fps: 16 });
    await expect.poll(async () => (await getJob(ctx, jobId))?.state).toBe('completed');
    const view = await getJob(ctx, jobId);
    expect(view?.result?.promptId).toBe(`${jobId}-a1`);
    expect(view?.run).toMatchObject({ promptId: `${jobId}-a1`, attempt: 1 });
    expect(view?.progress?.stage).toBe('delivering');
    expect(recorded.of('delivered', jobId)).toHaveLength(1);
  });

  it('two ComfyUI instances share a burst, and every job is delivered once', async () => {
    world = await openWorld({ simulators: { count: 2, knobs: { secondsPerStep: 0.05 } }, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
    const { queue: ctx, recorded, input, sims } = world;
    await world.startWorker({ env: { PROMPTS_PER_INSTANCE: '1' } });
    const ids = await Promise.all(Array.from({ length: 4 }, (_, i) => enqueueJob(ctx, sampleJob({ image: input, options: { seed: i } }), { jobId: createJobId() })));
    await Promise.all(ids.map((id) => recorded.waitFor(is.delivered(id))));
    for (const sim of sims) expect(sim.timeline.length).toBeGreaterThan(0);
    for (const id of ids) expect(recorded.of('delivered', id)).toHaveLength(1);
  });

  it('keeps the next prompt waiting in ComfyUI while the first runs, so the GPU never idles', async () => {
    world = await openWorld({ simulators: { knobs: { secondsPerStep: 0.1 } }, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
    const { queue: ctx, recorded, input, sims } = world;
    await world.startWorker({ env: { PROMPTS_PER_INSTANCE: '2' } });
    const first = await enqueueJob(ctx, sampleJob({ image: input, options: { seed: 1 } }), { jobId: createJobId() });
    const second = await enqueueJob(ctx, sampleJob({ image: input, options: { seed: 2 } }), { jobId: createJobId() });
    await recorded.waitFor(is.delivered(first));
    await recorded.waitFor(is.delivered(second));
    const timeline = sims[0]?.timeline ?? [];
    const a = timeline.find((entry) => entry.promptId === `${first}-a1`);
    const b = timeline.find((entry) => entry.promptId === `${second}-a1`);
    expect(a?.endedAt).toBeDefined();
    expect(b?.receivedAt).toBeLessThan(a?.endedAt ?? 0);
  });

  it('a job cancelled while waiting is never submitted', async () => {
    world = await openWorld({ simulators: { knobs: { secondsPerStep: 0.05 } }, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
    const { queue: ctx, recorded, input } = world;
    await world.startWorker({ env: { PROMPTS_PER_INSTANCE: '1' } });
    const running = await enqueueJob(ctx, sampleJob({ image: input, options: { seed: 1 } }), { jobId: createJobId() });
    // The worker holds one job more than ComfyUI does (it waits for the slot the running job frees
    // when its GPU part ends); the third is still in the queue.
    const nextForSlot = await enqueueJob(ctx, sampleJob({ image: input, options: { seed: 2 } }), { jobId: createJobId() });
    const waiting = await enqueueJob(ctx, sampleJob({ image: input, options: { seed: 3 } }), { jobId: createJobId() });
    await recorded.waitFor(is.atStage(running, 'high_noise'));
    expect(await requestCancel(ctx, waiting, { by: 'member' })).toBe('removed');
    expect(await requestCancel(ctx, nextForSlot, { by: 'member' })).toMatch(/^(removed|signalled)$/);
    await recorded.waitFor(is.delivered(running));
    for (const jobId of [waiting, nextForSlot]) {
      expect(world.promptsOf(jobId)).toEqual([]);
      await expect.poll(async () => (await getJob(ctx, jobId))?.state).toBe('cancelled');
    }
  });

  it('a running job is cancelled by its own prompt id; the next job on the same ComfyUI is unaffected', async () => {
    world = await openWorld({ simulators: { knobs: { secondsPerStep: 0.1 } }, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
    const { queue: ctx, recorded, input, sims } = world;
    await world.startWorker({ env: { PROMPTS_PER_INSTANCE: '2' } });
    const doomed = await enqueueJob(ctx, sampleJob({ image: input, options: { seed: 1 } }), { jobId: createJobId() });
    const other = await enqueueJob(ctx, sampleJob({ image: input, options: { seed: 2 } }), { jobId: createJobId() });
    await recorded.waitFor(is.atStage(doomed, 'high_noise'));
    expect(await requestCancel(ctx, doomed, { by: 'member' })).toBe('signalled');
    await recorded.waitFor(is.cancelled(doomed));
    await recorded.waitFor(is.delivered(other));
    const entry = sims[0]?.timeline.find((item) => item.promptId === `${doomed}-a1`);
    expect(entry?.status).toBe('interrupted');
    expect(sims[0]?.timeline.find((item) => item.promptId === `${other}-a1`)?.status).toBe('success');
    await expect.poll(async () => (await getJob(ctx, doomed))?.state).toBe('cancelled');
    expect(recorded.of('delivered', doomed)).toHaveLength(0);
    expect(world.promptsOf(doomed)).toHaveLength(1);
  });
});
