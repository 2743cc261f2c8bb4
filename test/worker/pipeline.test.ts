import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectComfy } from '../../src/comfy/index.ts';
import { probeVideo } from '../../src/media/index.ts';
import { startComfySimulator, type ComfySimulator } from '../../src/simulator/index.ts';
import { loadPresets, loadWorkflows, resolveJobParams, withoutPlacement, type PreflightWorkflows, type Presets } from '../../src/workflow/index.ts';
import { pipelineSettingsFromConfig, runJob } from '../../src/worker/pipeline.ts';
import { sampleJob, writeStartImage } from '../support/jobs.ts';
import { worldConfig } from '../support/world.ts';
import { makeDataDir, recordingReporter } from './helpers.ts';
import { silentLogger } from '../../src/log.ts';

let presets: Presets;
let workflows: PreflightWorkflows;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const config = worldConfig({});
  presets = await loadPresets(config.PRESET_DIR);
  workflows = await loadWorkflows(config.WORKFLOW_DIR, presets);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(knobs: Partial<ComfySimulator['knobs']> = {}) {
  const sim = await startComfySimulator({ knobs: { secondsPerStep: 0.01, ...knobs } });
  cleanups.push(() => sim.close());
  const data = await makeDataDir();
  cleanups.push(() => data.remove());
  const connection = connectComfy({ baseUrl: sim.url });
  cleanups.push(() => connection.close());
  const config = worldConfig({ DATA_DIR: data.dir });
  const input = join(data.dir, 'start.png');
  await writeStartImage(input);
  const deps = {
    instance: sim.url,
    connection,
    presets,
    workflows,
    settings: pipelineSettingsFromConfig(config, { progressIntervalMs: 10, pollIntervalMs: 100 }),
    logger: silentLogger,
  };
  return { sim, deps, input, dataDir: data.dir };
}

describe('the pipeline, without BullMQ', () => {
  it('turns one image into one playable MP4 of the asked size, frames and fps', async () => {
    const { deps, input, sim } = await setup({ secondsPerStep: 0.08 });
    const recorded = recordingReporter();
    const job = { id: 'pipejob01', data: sampleJob({ image: input }), attempt: 1 };
    const result = await runJob(deps, job, recorded.reporter, new AbortController().signal);

    const video = await probeVideo(result.videoPath, { ffprobePath: '/usr/bin/ffprobe' });
    expect(video).toMatchObject({ width: 192, height: 128, frames: 17, fps: 16, codec: 'h264', pixFmt: 'yuv420p' });
    expect(result).toMatchObject({ width: 192, height: 128, frames: 17, fps: 16, seed: 1234, promptId: 'pipejob01-a1', instance: sim.url, reencoded: false });
    expect(result.gpuSeconds).toBeGreaterThan(0);
    expect(recorded.of('delivered')).toHaveLength(1);
    // the last word is the delivery: no progress report lands after it
    expect(recorded.calls.at(-1)?.type).toBe('delivered');
    const stages = recorded.of('progress').map((call) => call.progress.stage);
    expect(stages[0]).toBe('uploading');
    expect(stages).toContain('high_noise');
    expect(stages).toContain('low_noise');
    expect(stages.at(-1)).toBe('delivering');
    const percents = recorded.of('progress').map((call) => call.progress.percent);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
  });

  it('re-encodes an output larger than the limit down under it', async () => {
    const { deps, input } = await setup();
    const recorded = recordingReporter();
    const first = await runJob(deps, { id: 'pipejob02', data: sampleJob({ image: input }), attempt: 1 }, recorded.reporter, new AbortController().signal);
    const limit = Math.floor(first.bytes * 0.6);
    const result = await runJob(deps, { id: 'pipejob03', data: sampleJob({ image: input, options: { seed: 99 }, sizeLimit: limit }), attempt: 1 }, recorded.reporter, new AbortController().signal);
    expect(result.reencoded || result.fallbackFramePath !== undefined).toBe(true);
    if (result.fallbackFramePath === undefined) {
      expect(result.bytes).toBeLessThanOrEqual(limit);
      const video = await probeVideo(result.videoPath, { ffprobePath: '/usr/bin/ffprobe' });
      expect(video.frames).toBe(17);
    }
  });

  it('runs with the parameters stored at acceptance rather than resolving the options again', async () => {
    const { deps, input } = await setup();
    const data = sampleJob({ image: input });
    const resolved = resolveJobParams(presets.fast!, data.options, data.input, deps.settings.placement);
    if (!resolved.ok) throw resolved.error;
    // Stored parameters that the options alone would not give (17 frames asked, 21 stored).
    const stored = { ...data, params: { ...withoutPlacement(resolved.value), frames: 21 } };
    const result = await runJob(deps, { id: 'pipejob04', data: stored, attempt: 1 }, recordingReporter().reporter, new AbortController().signal);
    expect(result.frames).toBe(21);
  });
});
