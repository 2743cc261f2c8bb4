import sharp from 'sharp';
import { startComfySimulator } from '../../src/simulator/index.ts';
import { workerTuningDefaults } from '../../src/worker/startWorker.ts';
import { startRole, type RoleProcess } from '../lib/child.ts';
import { perfNow } from '../lib/clock.ts';
import type { Scenario } from '../lib/scenario.ts';
import { round, summarize } from '../lib/stats.ts';
import type { Figure } from '../lib/table.ts';
import { enqueueJob } from '../../src/queue/index.ts';
import { storeSampleJob } from '../../test/support/jobs.ts';
import { openWorld } from '../../test/support/world.ts';
import { benchJobOptions } from '../lib/scenario.ts';

/**
 * A worker SIGKILLed mid-job → its job running again (the next worker's "running" log for
 * it), with the production lock settings, two ways: another worker already up, and the
 * killed worker started again at once (a supervisor's restart; its start-up included).
 * Each worker is `npm run worker`'s bundle in a process of its own.
 */

const RUNS_OTHER = 3;
const RUNS_RESTART = 2;
const BUDGET_MS = 15_000;

export const recovery: Scenario = {
  name: 'recovery after a worker is killed',
  figureIds: ['recovery_other_worker', 'recovery_restarted_worker'],
  async run() {
    // Long enough that the job is still sampling when its worker dies and when it is taken over.
    const simulator = await startComfySimulator({ knobs: { secondsPerStep: 2 } });
    const corner = await openWorld({ purpose: 'bench', comfyUrls: [simulator.url] });
    const env: Record<string, string> = {
      REDIS_URL: corner.config.REDIS_URL,
      QUEUE_PREFIX: corner.prefix,
      COMFYUI_URL: simulator.url,
      DATA_DIR: corner.dataDir,
      PRESET_DIR: corner.config.PRESET_DIR,
      WORKFLOW_DIR: corner.config.WORKFLOW_DIR,
      FFMPEG_PATH: corner.config.FFMPEG_PATH,
    };
    const image = await sharp({ create: { width: 640, height: 384, channels: 3, background: '#c83' } }).png().toBuffer();
    const children: RoleProcess[] = [];
    const worker = async () => {
      const role = startRole('worker', env);
      children.push(role);
      await role.waitForLog('worker ready');
      return role;
    };
    const measure = async (seed: number, restart: boolean): Promise<number> => {
      const doomed = await worker();
      const job = await storeSampleJob(corner, image, { options: { ...benchJobOptions, seed } });
      await enqueueJob(corner.queue, job.data, { jobId: job.jobId, attempts: 1 });
      await doomed.waitForLog('running');
      const next = restart ? undefined : await worker();
      const killedAt = perfNow();
      doomed.child.kill('SIGKILL');
      const taker = next ?? startRole('worker', env);
      if (!next) children.push(taker);
      await taker.waitForLog('running', 60_000);
      const ms = perfNow() - killedAt;
      await taker.waitForLog('delivered', 60_000);
      await taker.stop();
      return ms;
    };
    try {
      const other: number[] = [];
      for (let i = 0; i < RUNS_OTHER; i++) other.push(await measure(100 + i, false));
      const restarted: number[] = [];
      for (let i = 0; i < RUNS_RESTART; i++) restarted.push(await measure(200 + i, true));
      const row = (id: string, label: string, samples: number[]): Figure => {
        const s = summarize(samples.map((ms) => ms / 1000));
        return {
          id,
          label,
          unit: 's',
          median: round(s.median),
          min: round(s.min),
          max: round(s.max),
          n: s.n,
          budget: '< 15 s',
          pass: s.max * 1000 < BUDGET_MS,
          note: `lock ${workerTuningDefaults.lockDurationMs / 1000} s renewed every ${workerTuningDefaults.lockRenewMs / 1000} s, stalled check every ${workerTuningDefaults.stalledIntervalMs / 1000} s`,
        };
      };
      return [
        row('recovery_other_worker', 'worker SIGKILLed → job running again on another worker', other),
        row('recovery_restarted_worker', 'worker SIGKILLed → job running again on the same worker restarted', restarted),
      ];
    } finally {
      for (const child of children) if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
      await corner.close();
      await simulator.close();
    }
  },
};
