import type { JobKind } from '../workflow/jobOptions.ts';
import type { JobProgress } from '../queue/schemas.ts';
import type { Stage } from '../workflow/stages.ts';

/**
 * Pure: turn "stage X, step i of n" into an overall percent and an ETA that move
 * plausibly. Each stage has a share of the whole; sampling dominates and is split
 * between the two passes by their step counts. Time spent waiting in ComfyUI's
 * queue is not work, so it holds the bar at the start.
 */

export type ProgressPlan = {
  kind: JobKind;
  /** High-noise steps and low-noise steps (i2v). */
  highSteps: number;
  lowSteps: number;
  /** Expected run time in ms (learned or formula), from GPU start to delivered. */
  expectedMs: number;
};

type Shares = Partial<Record<Stage, number>>;

/** Pure: each stage's share of the job, summing to 1, in run order. */
export function stageShares(plan: Pick<ProgressPlan, 'kind' | 'highSteps' | 'lowSteps'>): Array<[Stage, number]> {
  const raw: Shares =
    plan.kind === 'upscale'
      ? { uploading: 2, loading_models: 5, upscaling: 80, encoding: 8, delivering: 5 }
      : (() => {
          const total = Math.max(1, plan.highSteps + plan.lowSteps);
          const sampling = 78;
          return {
            uploading: 1,
            loading_models: 8,
            high_noise: (sampling * plan.highSteps) / total,
            low_noise: (sampling * plan.lowSteps) / total,
            decoding: 5,
            encoding: 5,
            delivering: 3,
          };
        })();
  const sum = Object.values(raw).reduce((a, b) => a + b, 0);
  return Object.entries(raw).map(([stage, share]) => [stage as Stage, share / sum]);
}

/** Pure: overall percent (0..100) at a stage and a fraction through it. */
export function percentAt(plan: ProgressPlan, stage: Stage, fraction = 0): number {
  const shares = stageShares(plan);
  let done = 0;
  for (const [name, share] of shares) {
    if (name === stage) return clampPercent((done + share * Math.min(1, Math.max(0, fraction))) * 100);
    done += share;
  }
  // Stages outside the plan (waiting, queued_on_gpu) sit at the start.
  return stage === 'waiting' || stage === 'queued_on_gpu' ? 0 : clampPercent(done * 100);
}

function clampPercent(value: number): number {
  return Math.round(Math.min(100, Math.max(0, value)) * 10) / 10;
}

/**
 * Pure: when the job should end. Early on the learned duration is all we know; as the
 * bar moves, the observed pace takes over (a GPU slower than usual shows itself).
 */
export function etaAt(plan: ProgressPlan, percent: number, startedAt: number | undefined, now: number): number {
  if (startedAt === undefined || percent <= 0) return now + plan.expectedMs;
  const elapsed = Math.max(0, now - startedAt);
  const fromEstimate = Math.max(0, plan.expectedMs - elapsed);
  const fromPace = (elapsed * (100 - percent)) / percent;
  const trustPace = Math.min(1, percent / 50);
  return Math.round(now + (1 - trustPace) * fromEstimate + trustPace * fromPace);
}

/** Pure: the progress report for a stage (and step), with percent and ETA. */
export function progressAt(
  plan: ProgressPlan,
  at: { stage: Stage; step?: { value: number; max: number } | undefined; startedAt?: number | undefined; instance?: string | undefined; previewPath?: string | undefined },
  now: number,
): JobProgress {
  const fraction = at.step && at.step.max > 0 ? at.step.value / at.step.max : 0;
  const percent = percentAt(plan, at.stage, fraction);
  const progress: JobProgress = { stage: at.stage, percent, etaAt: etaAt(plan, percent, at.startedAt, now) };
  if (at.step) progress.step = { value: Math.round(at.step.value), max: Math.round(at.step.max) };
  if (at.startedAt !== undefined) progress.startedAt = at.startedAt;
  if (at.instance !== undefined) progress.instance = at.instance;
  if (at.previewPath !== undefined) progress.previewPath = at.previewPath;
  return progress;
}
