import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import type { Config } from '../../src/config.ts';
import type { WorkerTuning } from '../../src/worker/startWorker.ts';

const root = join(import.meta.dirname, '../..');

let bundled: Promise<string> | undefined;
/**
 * worker-process.ts bundled once per test process (packages external, as `npm run build`
 * does for src/main.ts): plain node starts it in about a second, where tsx on a busy
 * two-core machine takes ten times that for every worker a test kills.
 */
function bundle(): Promise<string> {
  bundled ??= (async () => {
    const outfile = join(root, 'dist', 'test', `worker-process.${process.pid}.mjs`);
    await build({ entryPoints: [join(root, 'test/support/worker-process.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node20', outfile, logLevel: 'warning' });
    return outfile;
  })();
  return bundled;
}

export type WorkerLine = { type: string; jobId?: string; attempt?: number; progress?: { stage: string }; pid?: number };

export type WorkerChild = {
  proc: ChildProcess;
  lines: WorkerLine[];
  waitFor(match: (line: WorkerLine) => boolean): Promise<WorkerLine>;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
};

/**
 * test/support/worker-process.ts in a node process of its own, configured from `config`
 * (plus `env`); resolves once it takes jobs. `reporter: 'discord'` reports through the REST
 * reporter, as `npm run worker` does.
 */
export async function spawnWorkerChild(config: Config, options: { tuning?: Partial<WorkerTuning>; reporter?: 'lines' | 'discord'; env?: Record<string, string> } = {}): Promise<WorkerChild> {
  const lines: WorkerLine[] = [];
  const waiters: Array<{ match: (line: WorkerLine) => boolean; resolve: (line: WorkerLine) => void }> = [];
  const env: Record<string, string | undefined> = {
    ...process.env,
    REDIS_URL: config.REDIS_URL,
    QUEUE_PREFIX: config.QUEUE_PREFIX,
    COMFYUI_URL: config.COMFYUI_URL.join(','),
    DATA_DIR: config.DATA_DIR,
    PRESET_DIR: config.PRESET_DIR,
    WORKFLOW_DIR: config.WORKFLOW_DIR,
    FFMPEG_PATH: config.FFMPEG_PATH,
    EDIT_INTERVAL_MS: String(config.EDIT_INTERVAL_MS),
    PROMPTS_PER_INSTANCE: String(config.PROMPTS_PER_INSTANCE),
    LOG_LEVEL: 'silent',
    OELALA_TEST_TUNING: JSON.stringify(options.tuning ?? {}),
    OELALA_TEST_REPORTER: options.reporter ?? 'lines',
    ...(config.DISCORD_TOKEN ? { DISCORD_TOKEN: config.DISCORD_TOKEN, DISCORD_API_BASE: config.DISCORD_API_BASE } : {}),
    ...options.env,
  };
  // node itself, not a wrapper (the tsx binary's would die while the real worker lives on).
  const proc = spawn(process.execPath, [await bundle()], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  createInterface({ input: proc.stdout! }).on('line', (text) => {
    let line: WorkerLine;
    try {
      line = JSON.parse(text) as WorkerLine;
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
  const waitFor = (match: (line: WorkerLine) => boolean) =>
    new Promise<WorkerLine>((resolve, reject) => {
      const found = lines.find(match);
      if (found) return resolve(found);
      waiters.push({ match, resolve });
      proc.once('exit', (code, signal) => reject(new Error(`worker process exited (${code ?? signal}) before the awaited report`)));
    });
  const kill = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGKILL');
    await exited;
  };
  await waitFor((line) => line.type === 'ready');
  return { proc, lines, waitFor, kill };
}
