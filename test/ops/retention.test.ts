import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { parseDuration } from '../../src/ops/duration.ts';
import { listLiveJobs } from '../../src/ops/liveJobs.ts';
import { sweepDataDir } from '../../src/ops/retention.ts';
import { startOps } from '../../src/ops/startOps.ts';
import { enqueueJob, pauseQueue, type QueueContext } from '../../src/queue/index.ts';
import { createTestQueueContext, destroyTestQueueContext } from '../queue/helpers.ts';
import { makeDataDir } from '../worker/helpers.ts';
import { sampleJob } from '../support/jobs.ts';
import { worldConfig } from '../support/world.ts';

const HOUR = 3_600_000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fileAt(path: string, mtime: number): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, 'x');
  await utimes(path, mtime / 1000, mtime / 1000);
  return path;
}

async function world(): Promise<{ ctx: QueueContext; dir: string }> {
  const data = await makeDataDir();
  const ctx = createTestQueueContext();
  cleanups.push(() => data.remove(), () => destroyTestQueueContext(ctx));
  return { ctx, dir: data.dir };
}

describe('retention durations', () => {
  it('GIVEN days, hours, minutes, seconds or a bare number (days) THEN milliseconds; nonsense is refused', () => {
    expect(parseDuration('14d')).toEqual({ ok: true, ms: 14 * 24 * HOUR });
    expect(parseDuration('90s')).toEqual({ ok: true, ms: 90_000 });
    expect(parseDuration('30m')).toEqual({ ok: true, ms: 30 * 60_000 });
    expect(parseDuration('7')).toEqual({ ok: true, ms: 7 * 24 * HOUR });
    expect(parseDuration('0s').ok).toBe(false);
    expect(parseDuration('soon').ok).toBe(false);
    const bad = parseConfig({ RETENTION: 'forever' });
    expect(bad.ok ? [] : bad.problems).toEqual(['RETENTION: "forever" is not a duration (e.g. 14d, 12h, 30m, 45s) (e.g. 14d, 12h, 30m)']);
  });
});

describe('the retention sweep', () => {
  it('GIVEN an injected clock THEN what is older than the retention goes, and what a waiting job (in a paused queue) or a waiting upscale still needs stays', async () => {
    const { ctx, dir } = await world();
    const now = Date.now() + 10 * 24 * HOUR;
    const old = now - 2 * HOUR;
    // A finished job's files: old, no live job needs them.
    const finished = [await fileAt(join(dir, 'inputs', 'donejob001.png'), old), await fileAt(join(dir, 'outputs', 'donejob001', 'donejob001-a1_00001.mp4'), old), await fileAt(join(dir, 'previews', 'donejob001.jpg'), old)];
    // A waiting job in a queue paused for longer than the retention: its input is just as old.
    await pauseQueue(ctx);
    const waitingInput = await fileAt(join(dir, 'inputs', 'waitjob001.png'), old);
    const waiting = await enqueueJob(ctx, sampleJob({ image: waitingInput }), { jobId: 'waitjob001' });
    // A waiting upscale of an old finished video.
    const sourceVideo = await fileAt(join(dir, 'outputs', 'srcjob0001', 'srcjob0001-a1_00001.mp4'), old);
    const upscaleInput = await fileAt(join(dir, 'inputs', 'upjob00001.png'), old);
    await enqueueJob(ctx, sampleJob({ image: upscaleInput, kind: 'upscale', source: { jobId: 'srcjob0001', videoPath: sourceVideo } }), { jobId: 'upjob00001' });
    // Young files of no live job: not old enough yet.
    const young = await fileAt(join(dir, 'previews', 'newjob0001.jpg'), now - 10 * 60_000);
    // Not ours: never touched.
    const secret = await fileAt(join(dir, '.link-secret'), old);

    const result = await sweepDataDir({ dataDir: dir, retentionMs: HOUR, now: () => now, liveJobs: () => listLiveJobs(ctx), logger: silentLogger });

    expect(waiting).toBe('waitjob001');
    for (const path of finished) expect(existsSync(path), path).toBe(false);
    expect(existsSync(join(dir, 'outputs', 'donejob001'))).toBe(false);
    for (const path of [waitingInput, sourceVideo, upscaleInput, young, secret]) expect(existsSync(path), path).toBe(true);
    expect(result.removed.sort()).toEqual([join(dir, 'inputs', 'donejob001.png'), join(dir, 'outputs', 'donejob001'), join(dir, 'previews', 'donejob001.jpg')].sort());
    expect(result.keptForLiveJobs.sort()).toEqual([join(dir, 'inputs', 'upjob00001.png'), waitingInput, join(dir, 'outputs', 'srcjob0001')].sort());
  });

  it('GIVEN a waiting ⏩ extension of an old clip THEN the clip it will be joined to stays', async () => {
    const { ctx, dir } = await world();
    const now = Date.now();
    const old = now - 3 * HOUR;
    await pauseQueue(ctx);
    const parentClip = await fileAt(join(dir, 'outputs', 'cliphead01', 'cliphead01-a1_00001.mp4'), old);
    const lastFrame = await fileAt(join(dir, 'inputs', 'extjob0001.png'), old);
    await enqueueJob(ctx, sampleJob({ image: lastFrame, extend: { jobId: 'cliphead01', videoPath: parentClip, frames: 17, depth: 1 } }), { jobId: 'extjob0001' });
    const result = await sweepDataDir({ dataDir: dir, retentionMs: HOUR, now: () => now, liveJobs: () => listLiveJobs(ctx) });
    expect(existsSync(parentClip)).toBe(true);
    expect(result.keptForLiveJobs.sort()).toEqual([join(dir, 'inputs', 'extjob0001.png'), join(dir, 'outputs', 'cliphead01')].sort());
  });

  it('GIVEN a re-encode written lately inside an old output folder THEN the folder is still young', async () => {
    const { ctx, dir } = await world();
    const now = Date.now();
    await fileAt(join(dir, 'outputs', 'fitjob0001', 'fitjob0001-a1_00001.mp4'), now - 3 * HOUR);
    await fileAt(join(dir, 'outputs', 'fitjob0001', 'fit', 'crf28.mp4'), now - 60_000);
    const result = await sweepDataDir({ dataDir: dir, retentionMs: HOUR, now: () => now, liveJobs: () => listLiveJobs(ctx) });
    expect(result.removed).toEqual([]);
  });

  it('GIVEN nothing old THEN Redis is not even asked', async () => {
    const { dir } = await world();
    await fileAt(join(dir, 'inputs', 'freshjob01.png'), Date.now());
    let asked = 0;
    const result = await sweepDataDir({ dataDir: dir, retentionMs: HOUR, liveJobs: async () => (asked += 1, []) });
    expect(result).toEqual({ removed: [], keptForLiveJobs: [] });
    expect(asked).toBe(0);
  });

  it('GIVEN a running process with RETENTION in seconds THEN its own sweep removes an old file without a restart, and keeps a waiting job\'s input', async () => {
    const { ctx, dir } = await world();
    const old = Date.now() - HOUR;
    const stale = await fileAt(join(dir, 'outputs', 'oldjob0001', 'v.mp4'), old);
    const needed = await fileAt(join(dir, 'inputs', 'livejob001.png'), old);
    await pauseQueue(ctx);
    await enqueueJob(ctx, sampleJob({ image: needed }), { jobId: 'livejob001' });
    const ops = await startOps({ config: worldConfig({ DATA_DIR: dir, RETENTION: '30s', RETENTION_SWEEP_INTERVAL: '200ms' }), logger: silentLogger });
    cleanups.push(() => ops.close());
    ops.attach({ queue: ctx });
    await expect.poll(() => existsSync(stale), { timeout: 10_000 }).toBe(false);
    // A later file also goes, on a later sweep of the same process.
    const later = await fileAt(join(dir, 'previews', 'oldjob0002.jpg'), old);
    await expect.poll(() => existsSync(later), { timeout: 10_000 }).toBe(false);
    expect(existsSync(needed)).toBe(true);
  });
});
