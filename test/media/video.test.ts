import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeArgs } from '../../src/media/fitLadder.ts';
import { extractFrame, ffprobeBeside, fitVideo, MediaToolError, probeVideo, runTool } from '../../src/media/index.ts';

const ffmpegPath = '/usr/bin/ffmpeg';
const MiB = 1024 * 1024;
let dir: string;
/** What Wan hands back at its most awkward: 720p, 81 frames, 16 fps, nearly lossless and far too big. */
let oversized: string;
/** A clip Discord plays as it is. */
let small: string;

const makeClip = (path: string, filter: string, encode: string[]) =>
  runTool(ffmpegPath, ['-v', 'error', '-y', '-f', 'lavfi', '-i', filter, '-frames:v', '81', ...encode, path]);

/** Command lines of running processes that mention `needle` (Linux /proc). */
async function processesMentioning(needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(needle)) found.push(cmdline.replaceAll('\0', ' '));
  }
  return found;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oelala-video-'));
  oversized = join(dir, 'wan-output.mp4');
  small = join(dir, 'small.mp4');
  await Promise.all([
    makeClip(oversized, 'testsrc2=size=1280x720:rate=16,noise=alls=3:allf=t', ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '0', '-pix_fmt', 'yuv420p']),
    makeClip(small, 'testsrc2=size=320x240:rate=16', ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '28', '-pix_fmt', 'yuv420p']),
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('probeVideo', () => {
  it('reads size, frame count, fps and codec', async () => {
    const info = await probeVideo(oversized, { ffmpegPath });
    expect(info).toMatchObject({ width: 1280, height: 720, frames: 81, fps: 16, codec: 'h264', pixFmt: 'yuv420p' });
    expect(info.durationSeconds).toBeCloseTo(81 / 16, 1);
    expect(info.bytes).toBeGreaterThan(20 * MiB);
  });

  it('counts the frames of a WebM, whose header does not say', async () => {
    const webm = join(dir, 'clip.webm');
    await runTool(ffmpegPath, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x128:rate=16', '-frames:v', '17', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', webm]);
    expect(await probeVideo(webm, { ffmpegPath })).toMatchObject({ frames: 17, fps: 16, codec: 'vp9', width: 160, height: 128 });
  });

  it('finds ffprobe beside the configured ffmpeg', () => {
    expect(ffprobeBeside('/usr/bin/ffmpeg')).toBe('/usr/bin/ffprobe');
    expect(ffprobeBeside('ffmpeg')).toBe('ffprobe');
    expect(ffprobeBeside('C:\\tools\\ffmpeg.exe')).toBe('C:\\tools\\ffprobe.exe');
    expect(ffprobeBeside('/opt/bin/my-encoder')).toBe('/opt/bin/ffprobe');
  });
});

describe('fitVideo', () => {
  const workDir = () => mkdtemp(join(dir, 'work-'));

  it('hands back a small H.264 yuv420p file untouched', async () => {
    const result = await fitVideo(small, { maxBytes: 10 * MiB, ffmpegPath, workDir: await workDir() });
    expect(result).toMatchObject({ fits: true, path: small, reencoded: false, frames: 81, fps: 16, attempts: [] });
  });

  it('re-encodes a small file that some clients cannot play (yuv444p)', async () => {
    const chroma = join(dir, 'yuv444.mp4');
    await makeClip(chroma, 'testsrc2=size=320x240:rate=16', ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '28', '-pix_fmt', 'yuv444p']);
    const result = await fitVideo(chroma, { maxBytes: 10 * MiB, ffmpegPath, workDir: await workDir() });
    expect(result).toMatchObject({ fits: true, reencoded: true, frames: 81 });
    expect(await probeVideo(result.path, { ffmpegPath })).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', frames: 81 });
  });

  it.each([10 * MiB, 1 * MiB])('brings a 720p, 81-frame clip under %i bytes as H.264 yuv420p with every frame', async (maxBytes) => {
    const result = await fitVideo(oversized, { maxBytes, ffmpegPath, workDir: await workDir() });
    expect(result.fits).toBe(true);
    expect(result.reencoded).toBe(true);
    expect(result.path).not.toBe(oversized);
    expect(result.bytes).toBeLessThanOrEqual(maxBytes);
    expect((await stat(result.path)).size).toBe(result.bytes);
    const made = await probeVideo(result.path, { ffmpegPath });
    expect(made).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', frames: 81, fps: 16 });
    expect(made.width % 2).toBe(0);
    expect(made.height % 2).toBe(0);
    expect(result.attempts.at(-1)).toMatchObject({ bytes: result.bytes, complete: true });
  });

  it('relies on ffmpeg cutting an over-limit encode short, with frames missing', async () => {
    const cut = join(await workDir(), 'cut.mp4');
    const greedy = { kind: 'crf', crf: 10, maxKbps: 50_000, scale: 0.5, width: 640, height: 360 } as const;
    await runTool(ffmpegPath, encodeArgs(oversized, cut, greedy, { preset: 'ultrafast', threads: 0, maxBytes: 200_000 }));
    const info = await probeVideo(cut, { ffmpegPath });
    // x264 flushes the frames it holds, so the file ends a little past the limit; fitVideo measures it.
    expect(info.frames).toBeLessThan(81);
  });

  it('says it cannot fit an impossible limit and leaves nothing above it behind', async () => {
    const work = await workDir();
    const result = await fitVideo(oversized, { maxBytes: 2048, ffmpegPath, workDir: work });
    expect(result).toMatchObject({ fits: false, reencoded: false, path: oversized });
    for (const name of await readdir(work)) expect((await stat(join(work, name))).size).toBeLessThanOrEqual(2048);
  });

  it('kills ffmpeg and removes its partial output when aborted', async () => {
    const work = await workDir();
    const controller = new AbortController();
    // Abort as soon as ffmpeg creates its output file: the encode is then under way.
    const watcher = watch(work, () => controller.abort(new Error('job cancelled')));
    try {
      await expect(fitVideo(oversized, { maxBytes: 5 * MiB, ffmpegPath, workDir: work, signal: controller.signal })).rejects.toThrow('job cancelled');
    } finally {
      watcher.close();
    }
    expect(await processesMentioning(work)).toEqual([]);
    expect(await readdir(work)).toEqual([]);
  });
});

describe('runTool', () => {
  it('kills the tool with SIGKILL on abort, so the process is gone when the promise settles', async () => {
    const controller = new AbortController();
    let pid = 0;
    const endless = runTool(ffmpegPath, ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=rate=16', '-f', 'null', '-'], {
      signal: controller.signal,
      onSpawn: (spawned) => {
        pid = spawned;
        controller.abort(new Error('stop'));
      },
    });
    await expect(endless).rejects.toThrow('stop');
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });

  it('keeps the command and the end of stderr when a tool fails', async () => {
    const error = await runTool(ffmpegPath, ['-v', 'error', '-i', join(dir, 'missing.mp4'), '-f', 'null', '-']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MediaToolError);
    expect(error).toMatchObject({ exitCode: expect.any(Number), command: expect.stringContaining('missing.mp4'), stderrTail: expect.stringContaining('No such file') });
  });
});

describe('extractFrame', () => {
  it('writes a still from the middle of the clip as PNG', async () => {
    const out = join(dir, 'frames', 'fallback.png');
    expect(await extractFrame(oversized, out, { ffmpegPath })).toBe(out);
    expect(await sharp(out).metadata()).toMatchObject({ format: 'png', width: 1280, height: 720 });
  });

  it('fails clearly when asked for a moment past the end', async () => {
    await mkdir(join(dir, 'frames'), { recursive: true });
    await expect(extractFrame(small, join(dir, 'frames', 'late.png'), { ffmpegPath, atSeconds: 60 })).rejects.toThrow(MediaToolError);
  });
});
