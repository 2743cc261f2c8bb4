import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { ffprobeBeside, runTool } from './runTool.ts';

export type VideoInfo = {
  width: number;
  height: number;
  frames: number;
  fps: number;
  durationSeconds: number;
  /** ffprobe's codec name: `h264`, `vp9`, `hevc`, … */
  codec: string;
  /** `yuv420p` is the one every Discord client plays. */
  pixFmt: string;
  bytes: number;
};

export type ProbeOptions = {
  /** Default: ffprobe beside `ffmpegPath`, else `ffprobe` on PATH. */
  ffprobePath?: string | undefined;
  /** FFMPEG_PATH, used to find ffprobe beside it. */
  ffmpegPath?: string | undefined;
  signal?: AbortSignal | undefined;
};

/** ffprobe writes numbers as strings, and "N/A" when it does not know: that becomes undefined. */
const numeric = z
  .union([z.number(), z.string()])
  .transform((value) => {
    const number = Number(value);
    return Number.isFinite(number) && number > 0 ? number : undefined;
  })
  .optional();

// ffprobe's JSON is the edge: parse it once, trust the numbers inside.
const probeSchema = z.object({
  streams: z
    .array(
      z.object({
        codec_name: z.string().default('unknown'),
        pix_fmt: z.string().default('unknown'),
        width: z.number().int().positive(),
        height: z.number().int().positive(),
        avg_frame_rate: z.string().optional(),
        r_frame_rate: z.string().optional(),
        nb_frames: numeric,
        nb_read_packets: numeric,
        duration: numeric,
      }),
    )
    .min(1),
  format: z.object({ duration: numeric }).optional(),
});

/** "16/1" → 16; "0/0" or garbage → undefined. */
export function parseRate(rate: string | undefined): number | undefined {
  const [num, den = '1'] = (rate ?? '').split('/');
  const value = Number(num) / Number(den);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Width, height, frame count, fps and codec of a video's first video stream. */
export async function probeVideo(path: string, options: ProbeOptions = {}): Promise<VideoInfo> {
  const ffprobe = options.ffprobePath ?? (options.ffmpegPath ? ffprobeBeside(options.ffmpegPath) : 'ffprobe');
  const entries = 'stream=codec_name,pix_fmt,width,height,avg_frame_rate,r_frame_rate,nb_frames,nb_read_packets,duration:format=duration';
  const run = async (countPackets: boolean) => {
    const args = ['-v', 'error', '-select_streams', 'v:0', ...(countPackets ? ['-count_packets'] : []), '-show_entries', entries, '-of', 'json', path];
    const { stdout } = await runTool(ffprobe, args, { signal: options.signal });
    const parsed = probeSchema.parse(JSON.parse(stdout));
    return { stream: parsed.streams[0]!, format: parsed.format };
  };

  let { stream, format } = await run(false);
  // MP4 headers carry the frame count; WebM, GIF and raw streams need the packets counted.
  if (stream.nb_frames === undefined) ({ stream, format } = await run(true));
  const { size } = await stat(path);

  const fps = parseRate(stream.avg_frame_rate) ?? parseRate(stream.r_frame_rate) ?? 0;
  const frames = stream.nb_frames ?? stream.nb_read_packets ?? 0;
  const duration = stream.duration ?? format?.duration;
  return {
    width: stream.width,
    height: stream.height,
    frames,
    fps,
    durationSeconds: duration ?? (fps > 0 ? frames / fps : 0),
    codec: stream.codec_name,
    pixFmt: stream.pix_fmt,
    bytes: size,
  };
}
