import { createHash } from 'node:crypto';
import { copyFile, readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import sharp from 'sharp';

/**
 * Real pictures for simulated nodes. An IMAGE travelling between nodes is a recipe
 * (`Frames`), rendered only where a file is written: stills with sharp, animations with
 * ffmpeg, so downstream code receives real PNG/MP4 files of the asked size and length.
 */
export type FrameSource =
  | { type: 'still'; path: string }
  | { type: 'color'; rgb: number }
  | { type: 'video'; path: string; skip: number; nth: number };

export type Frames = {
  kind: 'frames';
  width: number;
  height: number;
  count: number;
  source: FrameSource;
  /** A gentle pan across the picture, as an image-to-video model would give. */
  motion: boolean;
  /** ffmpeg filters applied after sizing (negate, gblur). */
  filters: string[];
};

export type MediaTools = {
  ffmpegPath: string;
  ffprobePath: string;
  /** Earlier renders by recipe, when the simulator reuses them (`reuseRenders`). */
  renders?: Map<string, { out: string; firstFramePng?: string | undefined }>;
};

export function runTool(bin: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${bin} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

const even = (n: number): number => Math.max(2, Math.round(n / 2) * 2);

function inputArgs(frames: Frames, fps: number): string[] {
  const { source } = frames;
  if (source.type === 'still') return ['-loop', '1', '-framerate', String(fps), '-i', source.path];
  if (source.type === 'color') {
    const hex = source.rgb.toString(16).padStart(6, '0');
    return ['-f', 'lavfi', '-i', `color=c=0x${hex}:s=${frames.width}x${frames.height}:r=${fps}`];
  }
  return ['-i', source.path];
}

/** The filter chain that turns the source into `count` frames of width × height. */
function filterChain(frames: Frames, pingpong: boolean): string {
  const { width: w, height: h, source } = frames;
  const chain: string[] = [];
  if (source.type === 'video' && (source.skip > 0 || source.nth > 1)) {
    chain.push(`select='gte(n\\,${source.skip})*not(mod(n-${source.skip}\\,${source.nth}))'`, 'setpts=N/FRAME_RATE/TB');
  }
  if (frames.motion) {
    const last = Math.max(1, frames.count - 1);
    const progress = pingpong ? `(1-abs(1-2*n/${last}))` : `min(1\\,n/${last})`;
    chain.push(
      `scale=${even(w * 1.08)}:${even(h * 1.08)}:force_original_aspect_ratio=increase`,
      `crop=${w}:${h}:x='(iw-ow)*${progress}':y='(ih-oh)/2'`,
    );
  } else {
    chain.push(`scale=${w}:${h}`);
  }
  chain.push(...frames.filters, 'setsar=1');
  return chain.join(',');
}

export type AnimationFormat = { codec: string[]; extension: string };

/** ffmpeg arguments per VHS format; every video is real and playable. */
export function animationFormat(format: string, crf: number, pixFmt: string): AnimationFormat {
  switch (format) {
    case 'video/h265-mp4':
      return { codec: ['-c:v', 'libx265', '-preset', 'ultrafast', '-crf', String(crf), '-pix_fmt', pixFmt, '-tag:v', 'hvc1'], extension: 'mp4' };
    case 'video/webm':
      return { codec: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-crf', String(crf), '-b:v', '0', '-pix_fmt', pixFmt], extension: 'webm' };
    case 'image/gif':
    case 'video/ffmpeg-gif':
      return { codec: ['-f', 'gif', '-loop', '0'], extension: 'gif' };
    case 'image/webp':
      return { codec: ['-c:v', 'libwebp_anim', '-loop', '0', '-lossless', '0'], extension: 'webp' };
    case 'image/apng':
      return { codec: ['-f', 'apng', '-plays', '0'], extension: 'png' };
    default:
      return {
        codec: ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', String(crf), '-pix_fmt', pixFmt, '-movflags', '+faststart'],
        extension: 'mp4',
      };
  }
}

/** Encode `count` frames to `out` (and optionally the first frame as PNG) with ffmpeg. */
export async function encodeAnimation(
  tools: MediaTools,
  frames: Frames,
  options: { fps: number; pingpong: boolean; format: AnimationFormat; out: string; firstFramePng?: string | undefined },
  signal?: AbortSignal,
): Promise<void> {
  const vf = filterChain(frames, options.pingpong);
  const key = tools.renders ? await recipeKey(frames, vf, options) : undefined;
  const earlier = key ? tools.renders?.get(key) : undefined;
  if (earlier && (!options.firstFramePng || earlier.firstFramePng)) {
    await copyFile(earlier.out, options.out);
    if (options.firstFramePng && earlier.firstFramePng) await copyFile(earlier.firstFramePng, options.firstFramePng);
    return;
  }
  const args = ['-hide_banner', '-loglevel', 'error', '-y', ...inputArgs(frames, options.fps)];
  args.push('-vf', vf, '-frames:v', String(frames.count), '-r', String(options.fps), '-an', ...options.format.codec, options.out);
  if (options.firstFramePng) args.push('-vf', vf, '-frames:v', '1', '-update', '1', options.firstFramePng);
  await runTool(tools.ffmpegPath, args, signal);
  if (key) tools.renders?.set(key, { out: options.out, firstFramePng: options.firstFramePng });
}

/** What makes two renders the same: the source picture's bytes, the filters, length, rate and codec. */
async function recipeKey(frames: Frames, vf: string, options: { fps: number; format: AnimationFormat }): Promise<string> {
  const source = frames.source.type === 'color' ? String(frames.source.rgb) : createHash('sha1').update(await readFile(frames.source.path)).digest('hex');
  return JSON.stringify([source, frames.source.type, frames.count, vf, options.fps, options.format.codec]);
}

/** Render the frames as separate stills (SaveImage, PreviewImage). */
export async function renderStills(tools: MediaTools, frames: Frames, outPaths: string[], signal?: AbortSignal): Promise<void> {
  const { source } = frames;
  if (source.type === 'video' || frames.motion) {
    for (const [i, out] of outPaths.entries()) {
      const args = ['-hide_banner', '-loglevel', 'error', '-y', ...inputArgs(frames, 16)];
      args.push('-vf', `${filterChain(frames, false)},select='eq(n\\,${i})'`, '-frames:v', '1', '-update', '1', out);
      await runTool(tools.ffmpegPath, args, signal);
    }
    return;
  }
  let image =
    source.type === 'still'
      ? sharp(source.path).resize(frames.width, frames.height, { fit: 'fill' })
      : sharp({
          create: {
            width: frames.width,
            height: frames.height,
            channels: 3,
            background: { r: (source.rgb >> 16) & 255, g: (source.rgb >> 8) & 255, b: source.rgb & 255 },
          },
        });
  for (const filter of frames.filters) {
    if (filter === 'negate') image = image.negate({ alpha: false });
    const sigma = /^gblur=sigma=([\d.]+)/.exec(filter)?.[1];
    if (sigma) image = image.blur(Math.max(0.3, Number(sigma)));
  }
  const png = await image.png().toBuffer();
  for (const out of outPaths) await sharp(png).toFile(out);
}

export type VideoProbe = { width: number; height: number; fps: number; frames: number; duration: number };

export async function probeVideo(tools: MediaTools, path: string, signal?: AbortSignal): Promise<VideoProbe> {
  const out = await runTool(
    tools.ffprobePath,
    ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=width,height,r_frame_rate,nb_read_frames', '-of', 'json', path],
    signal,
  );
  const stream = (JSON.parse(out) as { streams?: Array<Record<string, string | number>> }).streams?.[0];
  if (!stream) throw new Error(`no video stream in ${path}`);
  const [num, den] = String(stream.r_frame_rate ?? '0/1').split('/').map(Number);
  const fps = den ? (num ?? 0) / den : 0;
  const frames = Number(stream.nb_read_frames ?? 0);
  return { width: Number(stream.width), height: Number(stream.height), fps, frames, duration: fps > 0 ? frames / fps : 0 };
}

/** A small JPEG for binary preview frames, from the run's start picture when there is one. */
export async function previewJpeg(stillPath: string | undefined): Promise<Buffer> {
  const base = stillPath
    ? sharp(stillPath).resize(256, 256, { fit: 'inside' })
    : sharp({ create: { width: 128, height: 128, channels: 3, background: { r: 90, g: 110, b: 140 } } });
  return base.blur(3).jpeg({ quality: 80 }).toBuffer();
}
