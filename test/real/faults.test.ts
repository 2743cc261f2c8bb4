import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJobId, enqueueJob, getRun } from '../../src/queue/index.ts';
import { is } from '../worker/helpers.ts';
import { sampleJob } from '../support/jobs.ts';
import { quickTuning } from '../support/world.ts';
import { createRealHarness, type RealHarness } from './harness.ts';
import { realTargets, showLogOnFailure } from './targets.ts';

const root = join(import.meta.dirname, '../..');
const LONG = { steps: 20 } as const;

type Line = { type: string; jobId?: string; progress?: { stage: string } };

/** test/support/worker-process.ts in a process of its own, to be SIGKILLed; resolves once it takes jobs. */
async function spawnWorker(harness: RealHarness): Promise<{ proc: ChildProcess; lines: Line[]; waitFor(match: (line: Line) => boolean): Promise<Line> }> {
  const config = harness.config();
  const lines: Line[] = [];
  const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/support/worker-process.ts')], {
    cwd: root,
    env: {
      ...process.env,
      REDIS_URL: config.REDIS_URL,
      QUEUE_PREFIX: config.QUEUE_PREFIX,
      COMFYUI_URL: config.COMFYUI_URL.join(','),
      DATA_DIR: config.DATA_DIR,
      PRESET_DIR: config.PRESET_DIR,
      WORKFLOW_DIR: config.WORKFLOW_DIR,
      FFMPEG_PATH: config.FFMPEG_PATH,
      LOG_LEVEL: 'silent',
      OELALA_TEST_TUNING: JSON.stringify(quickTuning),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const reader = createInterface({ input: proc.stdout! });
  const waitFor = (match: (line: Line) => boolean) =>
    new Promise<Line>((resolve, reject) => {
      const found = lines.find(match);
      if (found) return resolve(found);
      const onLine = (text: string) => {
        try {
          const line = JSON.parse(text) as Line;
          if (match(line)) {
            reader.off('line', onLine);
            resolve(line);
          }
        } catch {
          // not a report line
        }
      };
      reader.on('line', onLine);
      proc.once('exit', (code, signal) => reject(new Error(`worker process exited (${code ?? signal}) before the awaited report`)));
    });
  reader.on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as Line);
    } catch {
      // not a report line
    }
  });
  await waitFor((line) => line.type === 'ready');
  return { proc, lines, waitFor };
}

for (const target of realTargets()) {
  describe(`faults against ${target.name}`, () => {
    showLogOnFailure(target);
    let harness: RealHarness;
    let child: ChildProcess | undefined;
    beforeEach(async () => {
      harness = await createRealHarness(target);
    });
    afterEach(async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child?.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      child = undefined;
      await harness.cleanup();
    });

    it.skipIf(!target.rig)('ComfyUI restarted mid-job forgets its queue: the job is submitted again and ends as one video', async () => {
      const { ctx, recorded, input, client } = harness;
      await harness.startTestWorker();
      const jobId = await enqueueJob(ctx, sampleJob({ image: input, options: LONG }), { jobId: createJobId() });
      await recorded.waitFor(is.atStage(jobId, 'high_noise'), 60_000);
      const restartBegan = Date.now();
      await target.rig!.restart();
      const restartEnded = Date.now();
      expect((await client.getQueue()).running).toEqual([]);
      expect(await client.getHistory(`${jobId}-a1`)).toBeUndefined();

      const delivered = await recorded.waitFor(is.delivered(jobId), 120_000);
      // For the record (never asserted): how long the restart took and how long the job needed after it.
      console.info(`${target.name}: restart ${restartEnded - restartBegan} ms, then delivered after ${Date.now() - restartEnded} ms; reports: ${recorded.of('failed', jobId).map((call) => call.failure.code).join(', ')}`);
      expect(delivered.result.promptId).not.toBe(`${jobId}-a1`);
      expect(recorded.of('delivered', jobId)).toHaveLength(1);
      expect((await getRun(ctx, jobId))?.promptId).toBe(delivered.result.promptId);
      // The restarted server ran exactly one prompt of this job: the resubmitted one.
      expect(await harness.promptsOf(jobId)).toEqual([delivered.result.promptId]);
    });

    it('a worker SIGKILLed mid-run is taken over: the next worker re-attaches to the same prompt and delivers once', async () => {
      const { ctx, recorded, input } = harness;
      const doomed = await spawnWorker(harness);
      child = doomed.proc;
      const jobId = await enqueueJob(ctx, sampleJob({ image: input, options: LONG }), { jobId: createJobId() });
      await doomed.waitFor((line) => line.type === 'progress' && line.jobId === jobId && line.progress?.stage === 'high_noise');
      const exited = new Promise((resolve) => doomed.proc.once('exit', resolve));
      doomed.proc.kill('SIGKILL');
      await exited;
      expect((await getRun(ctx, jobId))?.promptId).toBe(`${jobId}-a1`);

      await harness.startTestWorker();
      const delivered = await recorded.waitFor(is.delivered(jobId), 120_000);
      expect(delivered.result.promptId).toBe(`${jobId}-a1`);
      expect(await harness.promptsOf(jobId)).toEqual([`${jobId}-a1`]);
      expect(recorded.of('delivered', jobId)).toHaveLength(1);
      expect(doomed.lines.filter((line) => line.type === 'delivered')).toHaveLength(0);
    });
  });
}
