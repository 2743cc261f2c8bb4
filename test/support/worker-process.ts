/**
 * A worker in its own process, for tests that SIGKILL one mid-job. Configured by the
 * environment (REDIS_URL, QUEUE_PREFIX, COMFYUI_URL, DATA_DIR, ...) plus
 * OELALA_TEST_TUNING (JSON WorkerTuning). Every report is one JSON line on stdout;
 * `{"type":"ready"}` once it takes jobs. OELALA_TEST_REPORTER=discord reports to Discord
 * (DISCORD_API_BASE, DISCORD_TOKEN) as `npm run worker` does, and says each report once it is done.
 */
// discord.js before undici 7 (see src/main.ts).
import 'discord.js';
import { createRestReporter } from '../../src/status/restReporter.ts';
import { parseConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import type { Reporter } from '../../src/queue/reporter.ts';
import { installShutdownSignals } from '../../src/worker/signals.ts';
import { startWorker, type WorkerTuning } from '../../src/worker/startWorker.ts';

const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const parsed = parseConfig(process.env);
if (!parsed.ok) {
  say({ type: 'error', problems: parsed.problems });
  process.exit(2);
}
const tuning = JSON.parse(process.env.OELALA_TEST_TUNING ?? '{}') as Partial<WorkerTuning>;

// OELALA_TEST_BLOCK=<stage>:<ms> blocks the event loop once, synchronously, when a job reaches that
// stage: a long synchronous step or a GC pause, as far as lock renewal can tell.
const [blockStage, blockMs] = (process.env.OELALA_TEST_BLOCK ?? '').split(':');
let blocked = false;
const maybeBlock = (stage: string) => {
  if (blocked || !blockStage || stage !== blockStage) return;
  blocked = true;
  say({ type: 'blocking', ms: Number(blockMs) });
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(blockMs));
  say({ type: 'unblocked' });
};

const inner = process.env.OELALA_TEST_REPORTER === 'discord' ? createRestReporter(parsed.config, silentLogger).reporter : undefined;
const reporter: Reporter = {
  progress: async (job, progress) => {
    await inner?.progress(job, progress);
    say({ type: 'progress', jobId: job.id, attempt: job.attempt, progress });
    maybeBlock(progress.stage);
  },
  delivered: async (job, result) => {
    await inner?.delivered(job, result);
    say({ type: 'delivered', jobId: job.id, attempt: job.attempt, result });
  },
  failed: async (job, failure) => {
    await inner?.failed(job, failure);
    say({ type: 'failed', jobId: job.id, attempt: job.attempt, failure });
  },
  cancelled: async (job) => {
    await inner?.cancelled(job);
    say({ type: 'cancelled', jobId: job.id, attempt: job.attempt });
  },
};

const worker = startWorker({ config: parsed.config, reporter, logger: silentLogger, tuning });
installShutdownSignals(worker, { logger: silentLogger });
await worker.ready;
say({ type: 'ready', pid: process.pid });
