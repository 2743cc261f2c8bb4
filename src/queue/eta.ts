import type { QueueContext } from './context.ts';

/**
 * How long jobs take, learned per (instance, preset, size, frames) from the last few
 * runs. The bot uses it for waiting jobs (position × duration), the worker for the
 * ETA of a running one. Until there is history, a formula gives a plausible guess.
 */

export type EtaKey = {
  /** The ComfyUI instance; `undefined` for "any" (a waiting job has none yet). */
  instance?: string | undefined;
  preset: string;
  width: number;
  height: number;
  frames: number;
};

export type WorkloadShape = { steps: number; frames: number; width: number; height: number };

/** How many recent durations are kept per key. */
const KEPT = 5;
/** Durations live a month: hardware and models change. */
const TTL_SECONDS = 30 * 24 * 3600;

/** Pure: the key's text form. Instance URLs are kept whole (they contain ':' but keys allow it). */
export function etaKeyText(key: EtaKey): string {
  return [key.instance ?? '*', key.preset, `${key.width}x${key.height}`, key.frames].join('|');
}

/**
 * Pure: a first guess with no history. Model loading is roughly fixed; sampling
 * scales with steps × latent frames × pixels. Calibrated so the fast preset's
 * 6 steps × 81 frames at 832×480 come out near five minutes on one large GPU.
 */
export function formulaDurationMs(shape: WorkloadShape): number {
  const loadingMs = 30_000;
  const pixelFrameSteps = shape.steps * shape.frames * shape.width * shape.height;
  return Math.round(loadingMs + pixelFrameSteps * 1.4e-3 + shape.frames * 150);
}

/** Pure: the median, which one slow outlier (a cold model load) does not drag. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export async function recordDuration(ctx: QueueContext, key: EtaKey, durationMs: number): Promise<void> {
  const ms = Math.max(0, Math.round(durationMs));
  const multi = ctx.redis.multi();
  // Per instance, and for "any instance" so waiting jobs get an estimate too.
  for (const text of new Set([etaKeyText(key), etaKeyText({ ...key, instance: undefined })])) {
    multi.lpush(ctx.keys.eta(text), ms);
    multi.ltrim(ctx.keys.eta(text), 0, KEPT - 1);
    multi.expire(ctx.keys.eta(text), TTL_SECONDS);
  }
  await multi.exec();
}

async function learned(ctx: QueueContext, key: EtaKey): Promise<number | undefined> {
  const raw = await ctx.redis.lrange(ctx.keys.eta(etaKeyText(key)), 0, KEPT - 1);
  return median(raw.map(Number).filter((value) => Number.isFinite(value)));
}

/** Expected duration in ms: this instance's history, else any instance's, else the formula. */
export async function estimateDuration(ctx: QueueContext, key: EtaKey, shape: WorkloadShape): Promise<number> {
  if (key.instance !== undefined) {
    const own = await learned(ctx, key);
    if (own !== undefined) return own;
  }
  return (await learned(ctx, { ...key, instance: undefined })) ?? formulaDurationMs(shape);
}
