import { readdir, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Logger } from '../log.ts';
import { formatDuration } from './duration.ts';

/**
 * Bounded disk: what we keep in DATA_DIR (stored inputs, finished videos and their
 * re-encodes, preview frames) is removed once older than RETENTION, by a sweep every
 * RETENTION_SWEEP_INTERVAL in every running bot and worker. A file a live job (waiting,
 * delayed, running, paused) still needs is never removed, however old: a job paused for
 * longer than the retention keeps its input, an upscale waiting in the queue keeps the video
 * it will upscale. (ComfyUI's side is bounded differently: see README, "Disk".)
 */

/** Folders of DATA_DIR the sweep owns; each entry is named after its job (`<jobId>.png`, `<jobId>/`, `<jobId>.jpg`). */
export const SWEPT_FOLDERS = ['inputs', 'outputs', 'previews'] as const;

/** A job that is not finished: its id, and every file it reads (input image, upscale source). */
export type LiveJob = { id: string; paths: string[] };

export type SweepOptions = {
  dataDir: string;
  retentionMs: number;
  /** The jobs not finished yet; only asked when something is old enough to remove. */
  liveJobs: () => Promise<LiveJob[]>;
  now?: () => number;
  logger?: Logger | undefined;
};

export type SweepResult = { removed: string[]; keptForLiveJobs: string[] };

/** Pure: the job an entry of a swept folder belongs to (`abc.png`, `abc.jpg`, `abc/`, `.abc.123.tmp` → `abc`). */
export function ownerOf(name: string): string {
  return name.replace(/^\./, '').split('.')[0] ?? name;
}

/**
 * The newest modification time of the files in a tree (a re-encode written later keeps its
 * folder young); an empty folder counts by its own time.
 */
async function newestMtime(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path, { withFileTypes: true });
  if (entries.length === 0) return info.mtimeMs;
  let newest = 0;
  for (const entry of entries) newest = Math.max(newest, await newestMtime(join(path, entry.name)).catch(() => 0));
  return newest;
}

export async function sweepDataDir(options: SweepOptions): Promise<SweepResult> {
  const now = (options.now ?? Date.now)();
  const cutoff = now - options.retentionMs;
  const old: Array<{ path: string; owner: string }> = [];
  for (const folder of SWEPT_FOLDERS) {
    const dir = resolve(options.dataDir, folder);
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const mtime = await newestMtime(path).catch(() => now);
      if (mtime < cutoff) old.push({ path, owner: ownerOf(entry.name) });
    }
  }
  const result: SweepResult = { removed: [], keptForLiveJobs: [] };
  if (old.length === 0) return result;

  // Asked only now, after the listing: a job enqueued meanwhile wrote its input just now, so it is not old.
  const live = await options.liveJobs();
  const liveIds = new Set(live.map((job) => job.id));
  const livePaths = live.flatMap((job) => job.paths.map((path) => resolve(path)));
  const needed = (entry: { path: string; owner: string }) =>
    liveIds.has(entry.owner) || livePaths.some((path) => path === entry.path || path.startsWith(entry.path + sep));

  for (const entry of old) {
    if (needed(entry)) {
      result.keptForLiveJobs.push(entry.path);
      continue;
    }
    await rm(entry.path, { recursive: true, force: true });
    result.removed.push(entry.path);
  }
  if (result.removed.length > 0 || result.keptForLiveJobs.length > 0) {
    options.logger?.info({ removed: result.removed.length, keptForLiveJobs: result.keptForLiveJobs.length, retention: formatDuration(options.retentionMs) }, 'retention sweep');
  }
  return result;
}

export type RetentionSweeper = { sweepNow(): Promise<SweepResult>; close(): Promise<void> };

/** Sweep now and then every `intervalMs` until closed; sweeps never overlap, and a failed one is logged and tried again next time. */
export function startRetention(options: SweepOptions & { intervalMs: number }): RetentionSweeper {
  let running: Promise<SweepResult> | undefined;
  const sweepNow = () => {
    running ??= sweepDataDir(options).finally(() => (running = undefined));
    return running;
  };
  const tick = () => void sweepNow().catch((error: unknown) => options.logger?.warn({ err: error }, 'retention sweep failed'));
  const first = setTimeout(tick, Math.min(options.intervalMs, 5_000));
  const timer = setInterval(tick, options.intervalMs);
  first.unref();
  timer.unref();
  return {
    sweepNow,
    async close() {
      clearTimeout(first);
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
