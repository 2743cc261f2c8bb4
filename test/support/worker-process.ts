/**
 * A worker in its own process, for tests that SIGKILL one mid-job. Configured by the
 * environment (REDIS_URL, QUEUE_PREFIX, COMFYUI_URL, DATA_DIR, ...) plus
 * OELALA_TEST_TUNING (JSON WorkerTuning). Every report is one JSON line on stdout;
 * `{"type":"ready"}` once it takes jobs.
 */
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

const reporter: Reporter = {
  progress: async (job, progress) => void say({ type: 'progress', jobId: job.id, attempt: job.attempt, progress }),
  delivered: async (job, result) => void say({ type: 'delivered', jobId: job.id, attempt: job.attempt, result }),
  failed: async (job, failure) => void say({ type: 'failed', jobId: job.id, attempt: job.attempt, failure }),
  cancelled: async (job) => void say({ type: 'cancelled', jobId: job.id, attempt: job.attempt }),
};

const worker = startWorker({ config: parsed.config, reporter, logger: silentLogger, tuning });
installShutdownSignals(worker, { logger: silentLogger });
await worker.ready;
say({ type: 'ready', pid: process.pid });
