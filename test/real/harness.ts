import { createComfyClient, type ComfyClient } from '../../src/comfy/index.ts';
import type { WorkerHandle, WorkerTuning } from '../../src/worker/startWorker.ts';
import { openWorld, quickTuning } from '../support/world.ts';
import type { Target } from './targets.ts';

/**
 * The shared test world (test/support/world.ts) around one real ComfyUI, plus a client for
 * looking at ComfyUI's own queue and history. `cleanup()` closes workers, removes keys and
 * files, and runs the world's leak check.
 */
export async function createRealHarness(target: Target) {
  const world = await openWorld({
    comfyUrls: [target.url],
    tuning: quickTuning,
    jobDefaults: { backoffMs: 200 },
    env: { SHUTDOWN_GRACE_SECONDS: '1' },
  });
  const client: ComfyClient = createComfyClient({ baseUrl: target.url });

  return {
    ctx: world.queue,
    client,
    dataDir: world.dataDir,
    input: world.input,
    recorded: world.recorded,
    config: (overrides: Record<string, string> = {}) => world.configWith(overrides),
    async startTestWorker(overrides: { promptsPerInstance?: number; tuning?: Partial<WorkerTuning> } = {}): Promise<WorkerHandle> {
      return world.startWorker({ env: { PROMPTS_PER_INSTANCE: String(overrides.promptsPerInstance ?? 2) }, ...(overrides.tuning ? { tuning: overrides.tuning } : {}) });
    },
    /** Prompt ids of this job that ComfyUI holds now (queue and history), sorted. */
    async promptsOf(jobId: string): Promise<string[]> {
      const [queue, history] = await Promise.all([client.getQueue(), client.listHistory({ maxItems: 200 })]);
      const ids = [...queue.running, ...queue.pending].map((item) => item.promptId).concat([...history.keys()]);
      return [...new Set(ids.filter((id) => id.startsWith(`${jobId}-`)))].sort();
    },
    cleanup: () => world.close(),
  };
}

export type RealHarness = Awaited<ReturnType<typeof createRealHarness>>;
