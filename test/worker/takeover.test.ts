import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { createJobId, enqueueJob, getRun } from '../../src/queue/index.ts';
import { sampleJob } from '../support/jobs.ts';
import { is } from './helpers.ts';
import { openWorld, quickTuning, type World } from '../support/world.ts';

const root = join(import.meta.dirname, '../..');
let world: World | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  child = undefined;
  await world?.close();
  world = undefined;
});

type Line = { type: string; jobId?: string; progress?: { stage: string } };

/** Start test/support/worker-process.ts in one node process; resolves with a way to wait for its report lines. */
async function spawnWorker(w: World) {
  const config = w.configWith({});
  const lines: Line[] = [];
  const waiters: Array<{ match: (line: Line) => boolean; resolve: (line: Line) => void }> = [];
  // node --import tsx, not the tsx binary: its wrapper would die while the real worker lives on.
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
  child = proc;
  createInterface({ input: proc.stdout }).on('line', (text) => {
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      return;
    }
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const waitFor = (match: (line: Line) => boolean) =>
    new Promise<Line>((resolve, reject) => {
      const found = lines.find(match);
      if (found) return resolve(found);
      waiters.push({ match, resolve });
      proc.once('exit', (code, signal) => reject(new Error(`worker process exited (${code ?? signal}) before the awaited report`)));
    });
  await waitFor((line) => line.type === 'ready');
  return { proc, lines, waitFor };
}

describe('a worker that dies mid-job', () => {
  it('is taken over by another worker, which re-attaches to the same prompt and delivers once', async () => {
    world = await openWorld({ simulators: { knobs: { secondsPerStep: 0.3 } }, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
    const { queue: ctx, recorded, input } = world;
    const doomed = await spawnWorker(world);
    const jobId = await enqueueJob(ctx, sampleJob({ image: input }), { jobId: createJobId() });
    await doomed.waitFor((line) => line.type === 'progress' && line.jobId === jobId && line.progress?.stage === 'high_noise');
    const exited = new Promise((resolve) => doomed.proc.once('exit', resolve));
    doomed.proc.kill('SIGKILL');
    await exited;
    expect((await getRun(ctx, jobId))?.promptId).toBe(`${jobId}-a1`);

    await world.startWorker();
    const delivered = await recorded.waitFor(is.delivered(jobId));
    expect(delivered.result.promptId).toBe(`${jobId}-a1`);
    expect(world.promptsOf(jobId).map((entry) => entry.promptId)).toEqual([`${jobId}-a1`]);
    expect(recorded.of('delivered', jobId)).toHaveLength(1);
    expect(doomed.lines.filter((line) => line.type === 'delivered')).toHaveLength(0);
  });
});
