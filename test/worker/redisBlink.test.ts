import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { createJobId, createQueueContext, enqueueJob, getJob, requestCancel, type QueueContext } from '../../src/queue/index.ts';
import { startComfySimulator, type ComfySimulator } from '../../src/simulator/index.ts';
import { loadPresets, loadWorkflows } from '../../src/workflow/index.ts';
import { startWorker, type WorkerHandle } from '../../src/worker/startWorker.ts';
import { startPrivateRedis, type PrivateRedis } from '../support/privateRedis.ts';
import { sampleJob, writeStartImage } from '../support/jobs.ts';
import { quickTuning, worldConfig } from '../support/world.ts';
import { is, makeDataDir, recordingReporter } from './helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(): Promise<{ redis: PrivateRedis; ctx: QueueContext; sim: ComfySimulator; worker: WorkerHandle; input: string; recorded: ReturnType<typeof recordingReporter> }> {
  const redis = await startPrivateRedis();
  cleanups.push(() => redis.stop());
  const ctx = createQueueContext({ redisUrl: redis.url, prefix: 'blink', jobDefaults: { backoffMs: 50 } });
  cleanups.push(() => ctx.close());
  // Slow enough that the blink lands mid-run.
  const sim = await startComfySimulator({ knobs: { secondsPerStep: 0.25 } });
  cleanups.push(() => sim.close());
  const data = await makeDataDir();
  cleanups.push(() => data.remove());
  const input = join(data.dir, 'start.png');
  await writeStartImage(input);
  const config = worldConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: ctx.prefix, COMFYUI_URL: sim.url, DATA_DIR: data.dir });
  const presets = await loadPresets(config.PRESET_DIR);
  const workflows = await loadWorkflows(config.WORKFLOW_DIR, presets);
  const recorded = recordingReporter();
  const worker = startWorker({ config, reporter: recorded.reporter, logger: silentLogger, queueContext: ctx, presets, workflows, tuning: quickTuning });
  cleanups.push(() => worker.close());
  await worker.ready;
  return { redis, ctx, sim, worker, input, recorded };
}

describe('Redis blinking', () => {
  it('a job running while every Redis connection drops still ends as one video, submitted once', async () => {
    const { redis, ctx, sim, input, recorded } = await setUp();
    const jobId = await enqueueJob(ctx, sampleJob({ image: input }), { jobId: createJobId() });
    await recorded.waitFor(is.atStage(jobId, 'high_noise'));

    expect(await redis.killClients()).toBeGreaterThan(0);

    await recorded.waitFor(is.delivered(jobId));
    await expect.poll(async () => (await getJob(ctx, jobId))?.state, { timeout: 15_000 }).toBe('completed');
    expect(recorded.of('delivered', jobId)).toHaveLength(1);
    expect(sim.timeline.filter((entry) => entry.promptId.startsWith(`${jobId}-`))).toHaveLength(1);
  });

  it('after a blink, a cancel sent from another process still reaches the running job', async () => {
    const { redis, ctx, sim, input, recorded } = await setUp();
    await redis.killClients();
    const jobId = await enqueueJob(ctx, sampleJob({ image: input }), { jobId: createJobId() });
    await recorded.waitFor(is.atStage(jobId, 'high_noise'));

    expect(await requestCancel(ctx, jobId, { by: 'test' })).toBe('signalled');

    await recorded.waitFor(is.cancelled(jobId));
    await expect.poll(async () => (await getJob(ctx, jobId))?.state, { timeout: 15_000 }).toBe('cancelled');
    expect(sim.timeline.find((entry) => entry.promptId.startsWith(`${jobId}-`))?.status).not.toBe('success');
    expect(recorded.of('delivered', jobId)).toHaveLength(0);
  });
});
