import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { probeVideo } from './probeVideo.ts';
import { ffprobeBeside, MediaToolError, runTool } from './runTool.ts';

export type ClipToolOptions = { ffmpegPath: string; signal?: AbortSignal | undefined };

/**
 * The last frame of a clip as PNG: the start image of its extension. Decodes only the
 * last second and keeps overwriting one file, so the frame count need not be known.
 */
export async function extractLastFrame(videoPath: string, outPng: string, options: ClipToolOptions): Promise<string> {
  await mkdir(dirname(outPng), { recursive: true });
  await rm(outPng, { force: true });
  const args = ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-sseof', '-1', '-i', videoPath, '-update', '1', '-f', 'image2', '-c:v', 'png', outPng];
  const run = await runTool(options.ffmpegPath, args, { signal: options.signal });
  const written = await stat(outPng).catch(() => undefined);
  if (!written || written.size === 0) throw new MediaToolError(options.ffmpegPath, [options.ffmpegPath, ...args].join(' '), 0, `no last frame written\n${run.stderrTail}`);
  return outPng;
}

/**
 * One clip from two: `first`, then `second` without its first frame (which is the frame
 * `first` ends on: the extension started from it), so the joined clip has
 * frames(first) + frames(second) − 1 frames. The second clip is brought to the first's
 * size and rate; the result is H.264/yuv420p, ready for fitting under the upload limit.
 */
export async function joinClips(first: string, second: string, out: string, options: ClipToolOptions): Promise<string> {
  const { ffmpegPath, signal } = options;
  const head = await probeVideo(first, { ffprobePath: ffprobeBeside(ffmpegPath), signal });
  await mkdir(dirname(out), { recursive: true });
  await rm(out, { force: true });
  const graph = [
    `[0:v]setsar=1,format=yuv420p[a]`,
    `[1:v]trim=start_frame=1,setpts=PTS-STARTPTS,scale=${head.width}:${head.height},setsar=1,fps=${head.fps},format=yuv420p[b]`,
    `[a][b]concat=n=2:v=1:a=0[v]`,
  ].join(';');
  const args = [
    '-hide_banner', '-nostdin', '-y', '-v', 'error',
    '-i', first, '-i', second,
    '-filter_complex', graph, '-map', '[v]', '-an',
    '-fps_mode', 'passthrough',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', '-r', String(head.fps), '-movflags', '+faststart',
    out,
  ];
  await runTool(ffmpegPath, args, { signal });
  return out;
}
