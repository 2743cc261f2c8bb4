import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { peakRssMb, sampleRss } from './rss.ts';

/** A bot or worker child (bench/processes/role.ts) whose log lines can be awaited and whose peak RSS is read from /proc. */
export type RoleProcess = {
  child: ChildProcess;
  pid: number;
  /** Resolves at the first JSON log line whose msg matches. */
  waitForLog(msg: string | RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Peak RSS so far (VmHWM), MB. */
  peakMb(): Promise<number>;
  stop(): Promise<void>;
};

let built = false;
function buildOnce(): void {
  if (built) return;
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'ignore' });
  built = true;
}

export function startRole(role: 'bot' | 'worker', env: Record<string, string>): RoleProcess {
  // What `npm run bot|worker` runs: the esbuild bundle under node with a small young generation.
  // BENCH_ROLE_ENTRY=tsx measures tsx's on-the-fly transpiling instead (about 30 MB more).
  buildOnce();
  const args = process.env.BENCH_ROLE_ENTRY === 'tsx' ? ['--import', 'tsx', 'bench/processes/role.ts', role] : ['--max-semi-space-size=2', 'dist/main.mjs', role];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const listeners = new Set<() => void>();
  let buffer = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
    for (const wake of [...listeners]) wake();
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const sampler = sampleRss(child.pid ?? 0, 100);
  return {
    child,
    pid: child.pid ?? 0,
    waitForLog(msg, timeoutMs = 60_000) {
      const matches = (line: Record<string, unknown>) => (typeof msg === 'string' ? line.msg === msg : msg.test(String(line.msg)));
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = lines.find(matches);
          if (hit) {
            clearTimeout(timer);
            listeners.delete(check);
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`${role} child: no log "${String(msg)}" within ${timeoutMs} ms; stderr: ${stderr.trim().slice(-300)}`));
        }, timeoutMs);
        listeners.add(check);
        child.once('exit', () => check());
        check();
      });
    },
    async peakMb() {
      const fromProc = await peakRssMb(child.pid ?? 0).catch(() => 0);
      return fromProc;
    },
    async stop() {
      await sampler.stop();
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}
