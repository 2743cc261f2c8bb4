import { spawn } from 'node:child_process';
import { basename } from 'node:path';

/**
 * Run ffmpeg or ffprobe out of process (so video bytes never pass through our heap),
 * keeping only the tail of stderr for errors. An abort kills the tool with SIGKILL:
 * ffmpeg ignores a polite signal while it flushes, and a cancelled job must free the CPU now.
 */

export const RUN_TOOL_DEFAULTS = {
  /** How much of stderr an error keeps (bytes). */
  stderrTailBytes: 4096,
  /** Largest stdout we collect (bytes); ffprobe JSON is a few KB. */
  maxStdoutBytes: 1024 * 1024,
} as const;

export type RunToolOptions = Partial<typeof RUN_TOOL_DEFAULTS> & {
  signal?: AbortSignal | undefined;
  /** Told the child's pid once it runs: for logs, and for tests that check it is gone. */
  onSpawn?: ((pid: number) => void) | undefined;
};

export type ToolRun = { stdout: string; stderrTail: string };

/** A tool that failed to start or exited non-zero; keeps the command and the end of its stderr. */
export class MediaToolError extends Error {
  override readonly name = 'MediaToolError';
  readonly command: string;
  readonly exitCode: number | null;
  readonly stderrTail: string;

  constructor(binary: string, command: string, exitCode: number | null, stderrTail: string, options?: { cause?: unknown }) {
    const last = stderrTail.trim().split('\n').at(-1) ?? '';
    super(`${basename(binary)} ${exitCode === null ? 'failed' : `exited with ${exitCode}`}: ${last}`, options);
    this.command = command;
    this.exitCode = exitCode;
    this.stderrTail = stderrTail;
  }
}

export function runTool(binary: string, args: readonly string[], options: RunToolOptions = {}): Promise<ToolRun> {
  const { stderrTailBytes, maxStdoutBytes, signal, onSpawn } = { ...RUN_TOOL_DEFAULTS, ...options };
  const command = [binary, ...args].map(quoteForLog).join(' ');
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let settled = false;

    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (error: unknown, run?: ToolRun) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (run) resolve(run);
      else reject(error);
    };

    child.once('spawn', () => {
      if (child.pid !== undefined) onSpawn?.(child.pid);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-stderrTailBytes);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes <= maxStdoutBytes) stdout.push(chunk);
    });
    child.on('error', (error) => settle(new MediaToolError(binary, command, null, error.message, { cause: error })));
    child.on('close', (code) => {
      if (signal?.aborted) return settle(signal.reason);
      if (code !== 0) return settle(new MediaToolError(binary, command, code, stderr));
      settle(undefined, { stdout: Buffer.concat(stdout).toString('utf8'), stderrTail: stderr });
    });
  });
}

function quoteForLog(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/** ffprobe beside the configured ffmpeg: `/opt/ff/ffmpeg` → `/opt/ff/ffprobe`, `ffmpeg` → `ffprobe`. */
export function ffprobeBeside(ffmpegPath: string): string {
  const slash = Math.max(ffmpegPath.lastIndexOf('/'), ffmpegPath.lastIndexOf('\\'));
  const dir = ffmpegPath.slice(0, slash + 1);
  const name = ffmpegPath.slice(slash + 1);
  return dir + (/ffmpeg/i.test(name) ? name.replace(/ffmpeg/i, 'ffprobe') : 'ffprobe');
}
