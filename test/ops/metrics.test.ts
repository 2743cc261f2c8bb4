import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { startOps, type Ops } from '../../src/ops/startOps.ts';
import { createJobId, enqueueJob } from '../../src/queue/index.ts';
import { is } from '../worker/helpers.ts';
import { sampleJob } from '../support/jobs.ts';
import { openWorld, quickTuning, type World } from '../support/world.ts';

let harness: World | undefined;
let ops: Ops | undefined;
afterEach(async () => {
  await ops?.close();
  await harness?.close();
  ops = undefined;
  harness = undefined;
});

/** One sample of the Prometheus text, e.g. value(text, 'oelala_jobs_started_total', { preset: 'fast' }). */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, val]) => `${key}="${val}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((label) => have.includes(label)) && have.length === wanted.length) return Number(match[3]);
  }
  return 0;
}

const scrape = async (ops: Ops) => {
  const response = await fetch(`${ops.server?.url}/metrics`);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
};

it("/metrics counts a job's life: started, waited, ran on the GPU, delivered its bytes, failed by kind; queue and instance gauges follow", async () => {
  harness = await openWorld({ simulators: {}, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
  const { queue: ctx, recorded, input } = harness;
  const worker = await harness.startWorker();
  ops = await startOps({ config: harness.configWith({}), logger: silentLogger, port: 0 });
  ops.attach({ queue: ctx, worker });
  const sim = harness.sims[0]!;

  const before = await scrape(ops);
  expect(value(before, 'oelala_comfy_up', { instance: sim.url })).toBe(1);
  const jobId = await enqueueJob(ctx, sampleJob({ image: input }), { jobId: createJobId() });
  const { result } = await recorded.waitFor(is.delivered(jobId));
  // The worker counts after its reporter returns; wait for BullMQ to mark the job done.
  await expect.poll(async () => value(await scrape(ops!), 'oelala_jobs', { state: 'completed' })).toBe(1);
  const after = await scrape(ops);

  expect(value(after, 'oelala_jobs_started_total', { preset: 'fast' }) - value(before, 'oelala_jobs_started_total', { preset: 'fast' })).toBe(1);
  expect(value(after, 'oelala_jobs_finished_total', { preset: 'fast', outcome: 'completed' })).toBe(1);
  expect(value(after, 'oelala_job_wait_seconds_count', { preset: 'fast' })).toBe(1);
  expect(value(after, 'oelala_job_gpu_seconds_count', { preset: 'fast' })).toBe(1);
  expect(value(after, 'oelala_job_gpu_seconds_sum', { preset: 'fast' })).toBeCloseTo(result.gpuSeconds, 3);
  expect(value(after, 'oelala_delivered_bytes_total', { preset: 'fast' })).toBe(result.bytes);
  expect(value(after, 'oelala_queue_depth')).toBe(0);
  expect(value(after, 'oelala_jobs', { state: 'active' })).toBe(0);

  // A job that ComfyUI fails for good is counted by the failure's kind.
  sim.knobs.outOfMemoryAtNode = 'KSamplerAdvanced';
  const doomed = await enqueueJob(ctx, sampleJob({ image: input, options: { seed: 9 } }), { jobId: createJobId(), attempts: 1 });
  const { failure } = await recorded.waitFor(is.failed(doomed));
  await expect.poll(async () => value(await scrape(ops!), 'oelala_job_failures_total', { kind: failure.code, retrying: 'false' })).toBe(1);
  expect(value(await scrape(ops), 'oelala_jobs_finished_total', { preset: 'fast', outcome: 'failed' })).toBe(1);

  // Our files on ComfyUI went to temp/, which ComfyUI empties itself; nothing of ours piles up in input/ or output/.
  expect(existsSync(join(sim.dataDir, 'input', 'oelala'))).toBe(false);
  expect(existsSync(join(sim.dataDir, 'output', 'oelala'))).toBe(false);
  expect(readdirSync(join(sim.dataDir, 'temp', 'oelala'))).toContain(`${jobId}.png`);
});

it('/readyz of a worker is 503 until it is attached, then 200 with Redis and a usable ComfyUI; /healthz is always 200', async () => {
  harness = await openWorld({ simulators: {}, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
  ops = await startOps({ config: harness.configWith({}), logger: silentLogger, port: 0 });
  const url = ops.server?.url;
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  expect((await fetch(`${url}/readyz`)).status).toBe(503);
  // Preflights every 200 ms, so the worker notices a ComfyUI that went away.
  const worker = await harness.startWorker({ tuning: { preflightIntervalMs: 200 } });
  ops.attach({ queue: harness.queue, worker });
  const ready = await fetch(`${url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ ok: true, checks: [{ name: 'redis', ok: true }, { name: 'comfyui', ok: true }] });

  // Every ComfyUI gone: not ready (after the next preflight notices).
  await harness.sims[0]!.close();
  await expect.poll(async () => (await fetch(`${url}/readyz`)).status, { timeout: 10_000 }).toBe(503);
  const down = await fetch(`${url}/readyz`);
  expect(await down.json()).toMatchObject({ ok: false, checks: [{ name: 'redis', ok: true }, { name: 'comfyui', ok: false, detail: '0 of 1 ComfyUI instances usable' }] });
});
