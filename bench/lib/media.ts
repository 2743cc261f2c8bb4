import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

/**
 * Inputs and outputs the scenarios need, made with real sharp and ffmpeg and cached
 * in one temporary folder per run (removed by `removeMediaCache`).
 */

const run = promisify(execFile);
const ffmpeg = process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg';
export const mediaDir = join(tmpdir(), `oelala-bench-media-${process.pid}`);

/** A photo-like 4000×3000 JPEG (12 MP): gradients plus grain, so it compresses like a real photo, not like a flat colour. */
export async function twelveMegapixelJpeg(): Promise<Buffer> {
  const width = 4000;
  const height = 3000;
  const grain = Buffer.alloc((width / 4) * (height / 4) * 3);
  for (let i = 0; i < grain.length; i++) grain[i] = (i * 2654435761) >>> 24;
  const texture = await sharp(grain, { raw: { width: width / 4, height: height / 4, channels: 3 } }).resize(width, height).blur(1.2).toBuffer();
  return sharp(texture, { raw: { width, height, channels: 3 } }).modulate({ saturation: 0.6 }).jpeg({ quality: 88 }).toBuffer();
}

/** A small PNG, as most members' uploads are after Discord's own recompression. */
export async function smallPng(width = 640, height = 384): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 120, b: 40 } } }).png().toBuffer();
}

export type VideoSpec = { name: string; width: number; height: number; frames: number; fps: number; targetBytes: number; grain: number };

/** An H.264/yuv420p MP4 of about `targetBytes`: a moving test pattern with temporal grain, bitrate-targeted (two passes would be closer; one is close enough). */
export async function videoOfSize(spec: VideoSpec): Promise<{ path: string; bytes: number }> {
  mkdirSync(mediaDir, { recursive: true });
  const path = join(mediaDir, `${spec.name}.mp4`);
  if (!existsSync(path)) {
    const kbps = Math.round((spec.targetBytes * 8) / 1000 / (spec.frames / spec.fps));
    await run(ffmpeg, [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=s=${spec.width}x${spec.height}:r=${spec.fps},noise=alls=${spec.grain}:allf=t`,
      '-frames:v', String(spec.frames), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
      '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${Math.round(kbps / 2)}k`, '-movflags', '+faststart', path,
    ]);
  }
  return { path, bytes: statSync(path).size };
}

/** ~8 MB, fast preset's shape: fits 10 MiB as it is, so the worker delivers it untouched. */
export const eightMegabytes: VideoSpec = { name: 'deliver-8mb', width: 832, height: 480, frames: 25, fps: 16, targetBytes: 7_000_000, grain: 60 };
/** ~25 MB: over the limit, so the worker re-encodes it. */
export const twentyFiveMegabytes: VideoSpec = { name: 'deliver-25mb', width: 1280, height: 720, frames: 81, fps: 16, targetBytes: 25_000_000, grain: 12 };
/** ~30 MB, 81 frames of 720p: the re-encode figure. */
export const thirtyMegabytes: VideoSpec = { name: 'reencode-30mb', width: 1280, height: 720, frames: 81, fps: 16, targetBytes: 30_000_000, grain: 12 };
