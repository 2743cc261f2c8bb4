import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { encodeArgs, planFitLadder, type FitRung } from './fitLadder.ts';
import { probeVideo, type VideoInfo } from './probeVideo.ts';
import { ffprobeBeside, runTool } from './runTool.ts';

export const FIT_DEFAULTS = {
  /** x264 preset: `medium` spends ~2× `veryfast`'s time for visibly fewer blocks at tight budgets. */
  preset: 'medium',
  /** ffmpeg threads; 0 lets x264 choose (all cores). */
  threads: 0,
} as const;

export type FitOptions = Partial<{ preset: string; threads: number }> & {
  /** The largest file we may hand back (Discord's attachment_size_limit). */
  maxBytes: number;
  /** FFMPEG_PATH; ffprobe is looked for beside it. */
  ffmpegPath: string;
  /** Where re-encodes are written; created when missing. */
  workDir: string;
  /** Aborting kills ffmpeg and removes its partial output; rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
};

/** One encode tried on the way down the ladder. */
export type FitAttempt = {
  crf?: number;
  kbps?: number;
  scale: number;
  width: number;
  height: number;
  /** Size written; for a cut-short attempt, where ffmpeg stopped. */
  bytes: number;
  /** False when the encode was over the limit (and stopped early) rather than a whole video. */
  complete: boolean;
};

export type FitResult = {
  /** False when nothing we could make fits; `path` is then the untouched input and no encode is left on disk. */
  fits: boolean;
  path: string;
  bytes: number;
  reencoded: boolean;
  width: number;
  height: number;
  frames: number;
  fps: number;
  durationSeconds: number;
  attempts: FitAttempt[];
};

/** Whether every Discord client plays the file inline as it is. */
export function playsEverywhere(info: Pick<VideoInfo, 'codec' | 'pixFmt'>): boolean {
  return info.codec === 'h264' && info.pixFmt === 'yuv420p';
}

/**
 * Make a video Discord accepts: H.264 yuv420p MP4 no larger than `maxBytes`. A file that
 * already is one comes back untouched (one stat and one ffprobe); anything else is
 * re-encoded out of process down the ladder in fitLadder.ts until it fits. Never returns
 * a file above the limit: every failed attempt is deleted as soon as it is measured.
 */
export async function fitVideo(inputPath: string, options: FitOptions): Promise<FitResult> {
  const { maxBytes, ffmpegPath, workDir, signal, preset, threads } = { ...FIT_DEFAULTS, ...options };
  const source = await probeVideo(inputPath, { ffprobePath: ffprobeBeside(ffmpegPath), signal });
  const asIs = (fits: boolean, attempts: FitAttempt[]): FitResult => ({
    fits, path: inputPath, bytes: source.bytes, reencoded: false, attempts,
    width: source.width, height: source.height, frames: source.frames, fps: source.fps, durationSeconds: source.durationSeconds,
  });
  if (playsEverywhere(source) && source.bytes <= maxBytes) return asIs(true, []);

  await mkdir(workDir, { recursive: true });
  // A random tag per call, so a second fit of the same file never overwrites the first's result.
  const stem = `${basename(inputPath, extname(inputPath))}.${randomBytes(3).toString('hex')}`;
  const attempts: FitAttempt[] = [];
  const rungs = planFitLadder({ maxBytes, ...source });
  for (const [index, rung] of rungs.entries()) {
    const outputPath = join(workDir, `${stem}.fit${index + 1}.mp4`);
    try {
      await runTool(ffmpegPath, encodeArgs(inputPath, outputPath, rung, { preset, threads, maxBytes }), { signal });
      const { size } = await stat(outputPath);
      // -fs may have cut a too-big encode short, under the limit but missing frames.
      const made = size <= maxBytes ? await probeVideo(outputPath, { ffprobePath: ffprobeBeside(ffmpegPath), signal }) : undefined;
      const complete = made !== undefined && made.frames >= source.frames;
      attempts.push({ ...describeRung(rung), bytes: size, complete });
      if (made && complete) {
        return {
          fits: true, path: outputPath, bytes: size, reencoded: true, attempts,
          width: made.width, height: made.height, frames: made.frames, fps: made.fps, durationSeconds: made.durationSeconds,
        };
      }
    } catch (error) {
      await rm(outputPath, { force: true });
      throw error;
    }
    await rm(outputPath, { force: true });
  }
  return asIs(false, attempts);
}

function describeRung(rung: FitRung): Omit<FitAttempt, 'bytes' | 'complete'> {
  const size = { scale: rung.scale, width: rung.width, height: rung.height };
  return rung.kind === 'crf' ? { crf: rung.crf, kbps: rung.maxKbps, ...size } : { kbps: rung.kbps, ...size };
}
