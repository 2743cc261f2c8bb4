import { join } from 'node:path';
import { silentLogger } from '../../src/log.ts';
import type { QueueContext } from '../../src/queue/index.ts';
import { startComfySimulator, type ComfySimulator, type SimulatorKnobs } from '../../src/simulator/index.ts';
import { loadPresets, loadWorkflows, type PreflightWorkflows, type Presets } from '../../src/workflow/index.ts';
import { startWorker, type WorkerHandle, type WorkerTuning } from '../../src/worker/startWorker.ts';
import { createTestQueueContext, destroyTestQueueContext } from '../queue/helpers.ts';
import { makeDataDir, recordingReporter, testConfig, writeStartImage } from './helpers.ts';

/** Quick timings so takeovers and polls happen within a test's patience. */
export const quickTuning = {
  lockDurationMs: 2000,
  stalledIntervalMs: 500,
  pipeline: { pollIntervalMs: 100, progressIntervalMs: 20 },
} as const satisfies Partial<WorkerTuning>;

let assets: { presets: Presets; workflows: PreflightWorkflows } | undefined;
async function loadAssets() {
  if (!assets) {
    const config = testConfig({});
    const presets = await loadPresets(config.PRESET_DIR);
    assets = { presets, workflows: await loadWorkflows(config.WORKFLOW_DIR, presets) };
  }
  return assets;
}

/** Simulators, a queue under a fresh prefix, a data dir with a start image; all torn down by `cleanup()`. */
export async function createHarness(options: { instances?: number; knobs?: Partial<SimulatorKnobs> } = {}) {
  const cleanups: Array<() => Promise<void>> = [];
  const sims: ComfySimulator[] = [];
  for (let i = 0; i < (options.instances ?? 1); i += 1) {
    const sim = await startComfySimulator({ knobs: { secondsPerStep: 0.02, ...options.knobs } });
    sims.push(sim);
    cleanups.push(() => sim.close());
  }
  const data = await makeDataDir();
  cleanups.push(() => data.remove());
  const ctx: QueueContext = createTestQueueContext({ backoffMs: 50 });
  cleanups.push(() => destroyTestQueueContext(ctx));
  const input = join(data.dir, 'start.png');
  await writeStartImage(input);
  const recorded = recordingReporter();
  const workers: WorkerHandle[] = [];

  const config = (overrides: Record<string, string> = {}) =>
    testConfig({
      DATA_DIR: data.dir,
      QUEUE_PREFIX: ctx.prefix,
      COMFYUI_URL: sims.map((sim) => sim.url).join(','),
      SHUTDOWN_GRACE_SECONDS: '1',
      ...overrides,
    });

  async function startTestWorker(overrides: { promptsPerInstance?: number; tuning?: Partial<WorkerTuning>; config?: Record<string, string> } = {}): Promise<WorkerHandle> {
    const { presets, workflows } = await loadAssets();
    const worker = startWorker({
      config: config({ PROMPTS_PER_INSTANCE: String(overrides.promptsPerInstance ?? 2), ...overrides.config }),
      reporter: recorded.reporter,
      logger: silentLogger,
      queueContext: ctx,
      presets,
      workflows,
      tuning: { ...quickTuning, ...overrides.tuning },
    });
    workers.push(worker);
    await worker.ready;
    return worker;
  }

  return {
    sims,
    ctx,
    dataDir: data.dir,
    input,
    recorded,
    config,
    startTestWorker,
    /** Prompt ids the simulators received for a job, in order. */
    promptsOf: (jobId: string) => sims.flatMap((sim) => sim.timeline.filter((entry) => entry.promptId.startsWith(`${jobId}-`))),
    async cleanup() {
      for (const worker of workers.splice(0)) await worker.close();
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;
