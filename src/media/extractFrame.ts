import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { probeVideo } from './probeVideo.ts';
import { ffprobeBeside, MediaToolError, runTool } from './runTool.ts';

export type ExtractFrameOptions = {
  ffmpegPath: string;
  /** Where in the clip; default the middle (the first frame is the member's own image). */
  atSeconds?: number | undefined;
  signal?: AbortSignal | undefined;
};

/**
 * One still of a video as PNG, for the "could not fit" fallback: we post a frame and
 * a link instead of failing. Returns `outPng`.
 */
export async function extractFrame(videoPath: string, outPng: string, options: ExtractFrameOptions): Promise<string> {
  const { ffmpegPath, signal } = options;
  const atSeconds =
    options.atSeconds ?? (await probeVideo(videoPath, { ffprobePath: ffprobeBeside(ffmpegPath), signal })).durationSeconds / 2;
  await mkdir(dirname(outPng), { recursive: true });
  await rm(outPng, { force: true });
  const args = ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-ss', atSeconds.toFixed(3), '-i', videoPath, '-frames:v', '1', '-update', '1', '-f', 'image2', '-c:v', 'png', outPng];
  const run = await runTool(ffmpegPath, args, { signal });
  // Seeking past the end "succeeds" with nothing written; say so instead of returning a missing file.
  const written = await stat(outPng).catch(() => undefined);
  if (!written || written.size === 0) throw new MediaToolError(ffmpegPath, [ffmpegPath, ...args].join(' '), 0, `no frame at ${atSeconds}s\n${run.stderrTail}`);
  return outPng;
}
