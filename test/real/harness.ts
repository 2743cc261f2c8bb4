import { join } from 'node:path';
import { createComfyClient, type ComfyClient } from '../../src/comfy/index.ts';
import { silentLogger } from '../../src/log.ts';
import type { QueueContext } from '../../src/queue/index.ts';
import { startWorker, type WorkerHandle, type WorkerTuning } from '../../src/worker/startWorker.ts';
import { createTestQueueContext, destroyTestQueueContext } from '../queue/helpers.ts';
import { makeDataDir, recordingReporter, testConfig, writeStartImage } from '../worker/helpers.ts';
import { quickTuning } from '../worker/workerHarness.ts';
import { loadProjectAssets } from './rig.ts';
import type { Target } from './targets.ts';

/**
 * The worker's world around one real ComfyUI: a queue under a fresh prefix, a data dir with
 * a start image, workers with quick lock timings, a client for looking at ComfyUI's own
 * queue and history. `cleanup()` closes workers, removes keys and files.
 */
export async function createRealHarness(target: Target) {
  const data = await makeDataDir();
  const ctx: QueueContext = createTestQueueContext({ backoffMs: 200 });
  const input = join(data.dir, 'start.png');
  await writeStartImage(input);
  const recorded = recordingReporter();
  const workers: WorkerHandle[] = [];
  const client: ComfyClient = createComfyClient({ baseUrl: target.url });

  const config = (overrides: Record<string, string> = {}) =>
    testConfig({ DATA_DIR: data.dir, QUEUE_PREFIX: ctx.prefix, COMFYUI_URL: target.url, SHUTDOWN_GRACE_SECONDS: '1', ...overrides });

  async function startTestWorker(overrides: { promptsPerInstance?: number; tuning?: Partial<WorkerTuning> } = {}): Promise<WorkerHandle> {
    const { presets, workflows } = await loadProjectAssets();
    const worker = startWorker({
      config: config({ PROMPTS_PER_INSTANCE: String(overrides.promptsPerInstance ?? 2) }),
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
    ctx,
    client,
    dataDir: data.dir,
    input,
    recorded,
    config,
    startTestWorker,
    /** Prompt ids of this job that ComfyUI holds now (queue and history), sorted. */
    async promptsOf(jobId: string): Promise<string[]> {
      const [queue, history] = await Promise.all([client.getQueue(), client.listHistory({ maxItems: 200 })]);
      const ids = [...queue.running, ...queue.pending].map((item) => item.promptId).concat([...history.keys()]);
      return [...new Set(ids.filter((id) => id.startsWith(`${jobId}-`)))].sort();
    },
    async cleanup() {
      for (const worker of workers.splice(0)) await worker.close();
      await destroyTestQueueContext(ctx);
      await data.remove();
    },
  };
}

export type RealHarness = Awaited<ReturnType<typeof createRealHarness>>;
