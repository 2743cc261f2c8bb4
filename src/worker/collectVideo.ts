import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ComfyClient } from '../comfy/client.ts';
import type { NodeOutput, OutputFile } from '../comfy/events.ts';
import { extractFrame, fitVideo } from '../media/index.ts';
import type { JobResult } from '../queue/schemas.ts';

/**
 * After a prompt ends: find the video it made, download it from ComfyUI and fit it under
 * the job's size limit. Posting it is the reporter's part (src/status), not this file's.
 */

/** Pure: the video a finished prompt produced (VHS reports it under `gifs`), from the output node first. */
export function pickOutputVideo(outputs: Record<string, NodeOutput>, outputNodeId: string): OutputFile | undefined {
  const isVideo = (file: OutputFile) => /\.(mp4|webm|mov|mkv)$/i.test(file.filename) || (file.format ?? '').startsWith('video/');
  const ordered = [outputs[outputNodeId], ...Object.entries(outputs).filter(([id]) => id !== outputNodeId).map(([, output]) => output)];
  for (const output of ordered) {
    if (!output) continue;
    for (const kind of ['gifs', 'videos', 'images', ...Object.keys(output)]) {
      const file = output[kind]?.find(isVideo);
      if (file) return file;
    }
  }
  return undefined;
}

/** Stream a ComfyUI output file to `dir` (never buffered whole: videos can be large). */
export async function downloadOutput(client: ComfyClient, file: OutputFile, dir: string, signal?: AbortSignal): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, basename(file.filename));
  const { stream } = await client.view({ filename: file.filename, subfolder: file.subfolder, type: file.type }, signal);
  try {
    await pipeline(stream, createWriteStream(path), { signal });
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  return path;
}

/** The video's half of the job's result; the rest (seed, instance, GPU time) the pipeline adds. */
export type FittedVideo = Pick<JobResult, 'videoPath' | 'bytes' | 'width' | 'height' | 'frames' | 'fps' | 'durationSeconds' | 'reencoded' | 'fallbackFramePath'>;

/**
 * Make the video fit the job's size limit; when nothing fits, keep the original and
 * add a still frame so the member gets a frame (and, with PUBLIC_BASE_URL, a signed
 * link to the video) instead of an error.
 */
export async function fitForDelivery(path: string, options: { maxBytes: number; ffmpegPath: string; dir: string; signal?: AbortSignal | undefined }): Promise<FittedVideo> {
  const fit = await fitVideo(path, { maxBytes: options.maxBytes, ffmpegPath: options.ffmpegPath, workDir: join(options.dir, 'fit'), signal: options.signal });
  const video: FittedVideo = {
    videoPath: fit.path,
    bytes: fit.bytes,
    width: fit.width,
    height: fit.height,
    frames: fit.frames,
    fps: fit.fps,
    durationSeconds: fit.durationSeconds,
    reencoded: fit.reencoded,
  };
  if (!fit.fits) {
    video.fallbackFramePath = await extractFrame(fit.path, join(options.dir, 'frame.png'), { ffmpegPath: options.ffmpegPath, signal: options.signal });
  }
  return video;
}
