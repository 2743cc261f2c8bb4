import { afterEach, describe, expect, it } from 'vitest';
import { createJobId, enqueueJob, getJob, getRun } from '../../src/queue/index.ts';
import { sampleJob } from '../support/jobs.ts';
import { is } from './helpers.ts';
import { openWorld, quickTuning, type World } from '../support/world.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** POST /prompt calls the simulators saw. */
const promptPosts = (w: World) => w.sims.flatMap((sim) => sim.received.filter((request) => request.method === 'POST' && /\/prompt$/.test(request.url)));

describe('faults that retrying cannot fix end at once, in words', () => {
  it('an unknown LoRA', async () => {
    world = await openWorld({ simulators: {}, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
    const { queue: ctx, recorded, input } = world;
    await world.startWorker();
    const jobId = await enqueueJob(ctx, sampleJob({ image: input, options: { loraHigh: { name: 'not_installed.safetensors', strength: 1 } } }), { jobId: createJobId() });
    const failed = await recorded.waitFor(is.failed(jobId));
    expect(failed.failure).toMatchObject({ code: 'unknown_lora', retrying: false });
    expect(failed.failure.message).toMatch(/LoRA/);
    expect(failed.failure.detail).toContain('not_installed.safetensors');
    await expect.poll(async () => (await getJob(ctx, jobId))?.state).toBe('failed');
    expect((await getJob(ctx, jobId))?.failure?.code).toBe('unknown_lora');
    expect(promptPosts(world)).toHaveLength(1);
  });

  it('a custom node missing on ComfyUI', async () => {
    world = await openWorld({ simulators: {}, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
    const { queue: ctx, recorded, input, sims } = world;
    await world.startWorker();
    // Removed after the worker's preflight, so ComfyUI itself refuses the graph.
    for (const sim of sims) sim.knobs.missingNodeClasses = ['WanImageToVideo'];
    const jobId = await enqueueJob(ctx, sampleJob({ image: input }), { jobId: createJobId() });
    const failed = await recorded.waitFor(is.failed(jobId));
    expect(failed.failure).toMatchObject({ code: 'missing_node', retrying: false });
    expect(failed.failure.detail).toMatch(/WanImageToVideo/);
    expect(promptPosts(world)).toHaveLength(1);
  });

  it('a resolved model removed after the preflight: fails once naming the file, and the instance is checked again', async () => {
    world = await openWorld({ simulators: {}, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
    const { queue: ctx, recorded, input, sims } = world;
    await world.startWorker();
    // The worker resolved the owner's Q6_K pair at start; the high-noise file disappears afterwards.
    for (const sim of sims) sim.setModels('diffusion_models', ['wan2.2_i2v_low_noise_14B_Q6_K.gguf']);
    const jobId = await enqueueJob(ctx, sampleJob({ image: input }), { jobId: createJobId() });
    const failed = await recorded.waitFor(is.failed(jobId));
    expect(failed.failure).toMatchObject({ code: 'missing_model', retrying: false });
    expect(failed.failure.message).toContain('`wan2.2_i2v_high_noise_14B_Q6_K.gguf`');
    expect(failed.failure.detail).toContain("unet_name 'wan2.2_i2v_high_noise_14B_Q6_K.gguf' is not installed (unet_gguf folder)");
    expect(recorded.of('failed', jobId)).toHaveLength(1);
    // The refreshed report knows: the next job is refused without reaching ComfyUI.
    const next = await enqueueJob(ctx, sampleJob({ image: input }), { jobId: createJobId() });
    const refused = await recorded.waitFor(is.failed(next));
    expect(refused.failure).toMatchObject({ code: 'no_instance', retrying: false });
    expect(refused.failure.detail).toContain('did you mean');
    expect(promptPosts(world)).toHaveLength(1);
  });

  it('out of memory at this size', async () => {
    world = await openWorld({ simulators: { knobs: { outOfMemoryAtNode: 'KSamplerAdvanced' } }, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
    const { queue: ctx, recorded, input } = world;
    await world.startWorker();
    const jobId = await enqueueJob(ctx, sampleJob({ image: input }), { jobId: createJobId() });
    const failed = await recorded.waitFor(is.failed(jobId));
    expect(failed.failure).toMatchObject({ code: 'out_of_memory', retrying: false });
    expect(failed.failure.message).toMatch(/memory/);
    expect(promptPosts(world)).toHaveLength(1);
    expect(recorded.of('failed', jobId)).toHaveLength(1);
  });
});

describe('faults that pass are retried', () => {
  it('a 500 from /prompt is retried and the job still ends as one video', async () => {
    world = await openWorld({ simulators: { knobs: { failPromptWith500: true } }, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
    const { queue: ctx, recorded, input, sims } = world;
    await world.startWorker();
    const jobId = await enqueueJob(ctx, sampleJob({ image: input }), { jobId: createJobId() });
    const failed = await recorded.waitFor(is.failed(jobId));
    expect(failed.failure.retrying).toBe(true);
    for (const sim of sims) sim.knobs.failPromptWith500 = false;
    await recorded.waitFor(is.delivered(jobId));
    expect(recorded.of('delivered', jobId)).toHaveLength(1);
  });

  it('a ComfyUI restart mid-job: the forgotten prompt is submitted again and delivered once', async () => {
    world = await openWorld({ simulators: { knobs: { secondsPerStep: 0.1 } }, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
    const { queue: ctx, recorded, input, sims } = world;
    await world.startWorker();
    const jobId = await enqueueJob(ctx, sampleJob({ image: input }), { jobId: createJobId() });
    await recorded.waitFor(is.atStage(jobId, 'high_noise'));
    await sims[0]?.restart();
    const delivered = await recorded.waitFor(is.delivered(jobId));
    expect(delivered.result.promptId).not.toBe(`${jobId}-a1`);
    expect(recorded.of('delivered', jobId)).toHaveLength(1);
    expect((await getRun(ctx, jobId))?.promptId).toBe(delivered.result.promptId);
  });
});

describe('older ComfyUI', () => {
  it('a server that ignores our prompt_id (before 0.3.45) is followed by the id it chose, submitted once', async () => {
    world = await openWorld({ simulators: { knobs: { ignoresPromptId: true } }, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
    const { queue: ctx, recorded, input } = world;
    await world.startWorker();
    const jobId = await enqueueJob(ctx, sampleJob({ image: input }), { jobId: createJobId() });
    const delivered = await recorded.waitFor(is.delivered(jobId));
    expect(delivered.result.promptId).not.toContain(jobId);
    expect((await getRun(ctx, jobId))?.promptId).toBe(delivered.result.promptId);
    expect(promptPosts(world)).toHaveLength(1);
    expect(recorded.of('delivered', jobId)).toHaveLength(1);
  });
});

describe('graceful shutdown', () => {
  it('hands a running job back; the next worker re-attaches to the same prompt and delivers once', async () => {
    world = await openWorld({ simulators: { knobs: { secondsPerStep: 0.15 } }, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
    const { queue: ctx, recorded, input } = world;
    const first = await world.startWorker({ tuning: { graceMs: 50 } });
    const jobId = await enqueueJob(ctx, sampleJob({ image: input }), { jobId: createJobId() });
    await recorded.waitFor(is.atStage(jobId, 'high_noise'));
    await first.shutdown();
    expect((await getJob(ctx, jobId))?.state).toBe('waiting');
    expect(recorded.of('failed', jobId)).toHaveLength(0);

    await world.startWorker();
    const delivered = await recorded.waitFor(is.delivered(jobId));
    expect(delivered.result.promptId).toBe(`${jobId}-a1`);
    expect(world.promptsOf(jobId).map((entry) => entry.promptId)).toEqual([`${jobId}-a1`]);
    expect(recorded.of('delivered', jobId)).toHaveLength(1);
  });
});
