import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeVideo } from '../../src/media/index.ts';
import { createJobId, enqueueJob, getJob, requestCancel } from '../../src/queue/index.ts';
import { is } from '../worker/helpers.ts';
import { sampleJob } from '../support/jobs.ts';
import { createRealHarness, type RealHarness } from './harness.ts';
import { realTargets, showLogOnFailure } from './targets.ts';

/** Sampling long enough (at the rig's 0.25 s a step) to act while a prompt runs. */
const LONG = { steps: 20 } as const;

for (const target of realTargets()) {
  describe(`the worker through BullMQ against ${target.name}`, () => {
    showLogOnFailure(target);
    let harness: RealHarness;
    beforeEach(async () => {
      harness = await createRealHarness(target);
    });
    afterEach(() => harness.cleanup());

    it('delivers one video with progress that only moves forward and preview frames; ⬆️ doubles its size', async () => {
      const { ctx, recorded, input } = harness;
      await harness.startTestWorker({ tuning: { pipeline: { pollIntervalMs: 200, progressIntervalMs: 0, previewIntervalMs: 0 } } });
      const jobId = await enqueueJob(ctx, sampleJob({ image: input, options: { preset: 'quality', steps: 8 } }), { jobId: createJobId() });
      const delivered = await recorded.waitFor(is.delivered(jobId), 120_000);
      expect(delivered.result).toMatchObject({ width: 192, height: 128, frames: 17, promptId: `${jobId}-a1` });
      expect(await probeVideo(delivered.result.videoPath, { ffprobePath: '/usr/bin/ffprobe' })).toMatchObject({ codec: 'h264', width: 192, height: 128, frames: 17 });

      const progress = recorded.of('progress', jobId).map((call) => call.progress);
      const percents = progress.map((p) => p.percent);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
      const stages = progress.map((p) => p.stage).filter((stage, i, all) => all[i - 1] !== stage);
      expect(stages).toEqual(expect.arrayContaining(['loading_models', 'high_noise', 'low_noise', 'encoding']));
      expect(stages.indexOf('high_noise')).toBeLessThan(stages.indexOf('low_noise'));
      const steps = progress.filter((p) => p.stage === 'high_noise' && p.step).map((p) => p.step!.value);
      expect(steps.length, JSON.stringify(progress.map((p) => [p.stage, p.step?.value, p.percent]))).toBeGreaterThan(1);
      const previews = progress.map((p) => p.previewPath).filter((path): path is string => path !== undefined);
      expect(previews.length).toBeGreaterThan(0);
      expect(recorded.of('delivered', jobId)).toHaveLength(1);
      expect(await harness.promptsOf(jobId)).toEqual([`${jobId}-a1`]);

      const job = await getJob(ctx, jobId);
      const upscaleId = await enqueueJob(
        ctx,
        { ...job!.data, kind: 'upscale', source: { jobId, videoPath: delivered.result.videoPath }, parentJobId: jobId, createdAt: Date.now() },
        { jobId: createJobId() },
      );
      const upscaled = await recorded.waitFor(is.delivered(upscaleId), 120_000);
      expect(upscaled.result).toMatchObject({ width: 384, height: 256, frames: 17 });
      expect(await probeVideo(upscaled.result.videoPath, { ffprobePath: '/usr/bin/ffprobe' })).toMatchObject({ codec: 'h264', width: 384, height: 256 });
    });

    it('cancels a prompt waiting in ComfyUI’s queue (deleted, never run) and a running one (/interrupt)', async () => {
      const { ctx, recorded, input, client } = harness;
      await harness.startTestWorker({ promptsPerInstance: 2 });
      const first = await enqueueJob(ctx, sampleJob({ image: input, options: { ...LONG, seed: 1 } }), { jobId: createJobId() });
      const second = await enqueueJob(ctx, sampleJob({ image: input, options: { ...LONG, seed: 2 } }), { jobId: createJobId() });
      // Both are taken at once: either may reach ComfyUI first, so read which one runs from its queue.
      const jobOf = (promptId: string | undefined) => [first, second].find((jobId) => promptId === `${jobId}-a1`);
      let running: string | undefined;
      let waiting: string | undefined;
      await expect
        .poll(async () => {
          const queue = await client.getQueue();
          running = jobOf(queue.running[0]?.promptId);
          waiting = jobOf(queue.pending[0]?.promptId);
          return running !== undefined && waiting !== undefined;
        }, { timeout: 30_000, interval: 50 })
        .toBe(true);
      if (!running || !waiting) throw new Error('unreachable');

      expect(await requestCancel(ctx, waiting, { by: 'test' })).toBe('signalled');
      await recorded.waitFor(is.cancelled(waiting), 20_000);
      await expect.poll(async () => (await client.getQueue()).pending.map((item) => item.promptId)).not.toContain(`${waiting}-a1`);
      expect(await client.getHistory(`${waiting}-a1`)).toBeUndefined();

      expect(await requestCancel(ctx, running, { by: 'test' })).toBe('signalled');
      await recorded.waitFor(is.cancelled(running), 20_000);
      await expect.poll(async () => (await client.getHistory(`${running}-a1`))?.status?.messages.map((m) => m.type), { timeout: 20_000 }).toContain('execution_interrupted');
      expect((await client.getQueue()).running).toEqual([]);
      expect((await getJob(ctx, running))?.state).toBe('cancelled');
      expect((await getJob(ctx, waiting))?.state).toBe('cancelled');
      expect(recorded.of('delivered')).toHaveLength(0);
    });

    it('a graph ComfyUI refuses (a LoRA it does not have) fails once, in words, without retrying', async () => {
      const { ctx, recorded, input } = harness;
      await harness.startTestWorker();
      const jobId = await enqueueJob(ctx, sampleJob({ image: input, options: { loraHigh: { name: 'not_installed.safetensors', strength: 1 } } }), { jobId: createJobId() });
      const failed = await recorded.waitFor(is.failed(jobId), 60_000);
      expect(failed.failure).toMatchObject({ code: 'unknown_lora', retrying: false });
      expect(failed.failure.message).toMatch(/LoRA/);
      expect(failed.failure.message).not.toMatch(/[{}]|value_not_in_list/);
      expect(failed.failure.detail).toContain('not_installed.safetensors');
      await expect.poll(async () => (await getJob(ctx, jobId))?.state).toBe('failed');
      expect(recorded.of('failed', jobId)).toHaveLength(1);
      expect(await harness.promptsOf(jobId)).toEqual([]);
    });
  });
}

