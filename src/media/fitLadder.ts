/**
 * The quality ladder fitVideo walks down until a video fits a byte limit. Pure: from
 * the limit and the clip's shape it plans the encodes, best-looking first.
 */

/** A quality-first encode whose bitrate is capped (VBV) by the byte budget. */
export type CrfRung = { kind: 'crf'; crf: number; maxKbps: number; scale: number; width: number; height: number };
/** An average-bitrate encode aimed at a share of the byte budget. */
export type BitrateRung = { kind: 'bitrate'; kbps: number; scale: number; width: number; height: number };
export type FitRung = CrfRung | BitrateRung;

export type LadderInput = { maxBytes: number; durationSeconds: number; frames: number; width: number; height: number; fps: number };

export const LADDER = {
  /** CRF of the first, quality-first attempt (x264: 18 looks lossless to most eyes). */
  crf: 20,
  /** Share of the byte budget we aim the bitrate at: x264's rate control overshoots a little on short clips. */
  margin: 0.9,
  /** [scale, share of the budget] after the capped-CRF attempt; smaller frames hold up better when bits are scarce. */
  steps: [
    [1, 0.8],
    [0.75, 0.8],
    [0.5, 0.75],
    [0.5, 0.45],
  ],
  /** Below this many kbps per encode there is no watchable video left; do not bother. */
  minKbps: 24,
  /**
   * Bits per pixel per frame below which full size is a smear of blocks: the ladder then
   * starts at the largest scale that gets at least this many (H.264 looks fair from ~0.05).
   */
  minBitsPerPixel: 0.03,
} as const;

/** Bytes an MP4 spends on boxes and indexes rather than pictures. */
export function containerOverhead(frames: number): number {
  return 4096 + 32 * frames;
}

/** Even dimensions (yuv420p needs them) at `scale`, never below 16 px. */
export function scaledSize(width: number, height: number, scale: number): { width: number; height: number } {
  const even = (value: number) => Math.max(16, 2 * Math.floor((value * scale) / 2));
  return { width: even(width), height: even(height) };
}

/** The bitrate (kbps) that would fill `maxBytes` exactly over the clip, after the container. */
export function budgetKbps(input: LadderInput): number {
  const usableBytes = input.maxBytes - containerOverhead(input.frames);
  const seconds = input.durationSeconds > 0 ? input.durationSeconds : 1;
  return usableBytes <= 0 ? 0 : (usableBytes * 8) / 1000 / seconds;
}

/** The largest ladder scale at which the budget still buys minBitsPerPixel; the smallest when none does. */
export function startScale(input: Omit<LadderInput, 'maxBytes'>, kbps: number): number {
  const fps = input.fps > 0 ? input.fps : input.durationSeconds > 0 ? input.frames / input.durationSeconds : 16;
  const scales = [...new Set(LADDER.steps.map(([scale]) => scale))];
  const enough = scales.find((scale) => (kbps * 1000) / (input.width * scale * input.height * scale * fps) >= LADDER.minBitsPerPixel);
  return enough ?? Math.min(...scales);
}

/** Pure: the encodes to try, in order. Empty when the limit cannot hold any watchable video. */
export function planFitLadder(input: LadderInput): FitRung[] {
  const budget = budgetKbps(input) * LADDER.margin;
  if (budget < LADDER.minKbps) return [];
  const first = startScale(input, budget);
  const rungs: FitRung[] = [{ kind: 'crf', crf: LADDER.crf, maxKbps: Math.floor(budget), scale: first, ...scaledSize(input.width, input.height, first) }];
  for (const [scale, share] of LADDER.steps) {
    const kbps = Math.floor(budget * share);
    if (scale > first || kbps < LADDER.minKbps) continue;
    rungs.push({ kind: 'bitrate', kbps, scale, ...scaledSize(input.width, input.height, scale) });
  }
  return rungs;
}

/** ffmpeg arguments for one rung: H.264 yuv420p MP4, every frame kept, no audio or metadata. */
export function encodeArgs(inputPath: string, outputPath: string, rung: FitRung, options: { preset: string; threads: number; maxBytes?: number }): string[] {
  const rate =
    rung.kind === 'crf'
      ? ['-crf', String(rung.crf), '-maxrate', `${rung.maxKbps}k`, '-bufsize', `${rung.maxKbps}k`]
      : ['-b:v', `${rung.kbps}k`, '-maxrate', `${Math.floor(rung.kbps * 1.5)}k`, '-bufsize', `${rung.kbps * 2}k`];
  return [
    '-hide_banner', '-nostdin', '-y', '-v', 'error',
    '-i', inputPath,
    '-map', '0:v:0', '-an', '-sn', '-dn', '-map_metadata', '-1',
    // Keep every frame with its timestamp: a 81-frame clip stays 81 frames at its fps.
    '-fps_mode', 'passthrough',
    '-vf', `scale=${rung.width}:${rung.height}:flags=lanczos,format=yuv420p`,
    '-c:v', 'libx264', '-preset', options.preset, '-profile:v', 'high', '-pix_fmt', 'yuv420p',
    ...rate,
    ...(options.threads > 0 ? ['-threads', String(options.threads)] : []),
    // Stop writing once the file passes the limit: an attempt that cannot fit ends early
    // (its frame count then falls short, which is how fitVideo tells it apart).
    ...(options.maxBytes ? ['-fs', String(options.maxBytes)] : []),
    '-movflags', '+faststart',
    '-f', 'mp4', outputPath,
  ];
}
