import { z } from 'zod';
import { fail, ok, type Result } from '../errors.ts';
import { loraChoiceSchema, type JobOptions } from './jobOptions.ts';
import { pickSize, type Size } from './pickSize.ts';
import type { Preset } from './presetSchema.ts';
import { computeSplitStep } from './splitStep.ts';
import { validateOptionsForPreset } from './validateOptions.ts';

/**
 * A job's parameters as resolved once, at acceptance, and stored with the job: everything
 * the graph is bound with except where this worker's GPUs put the models, which model
 * files this instance has (`PresetReport.models`), the uploaded image name and the output prefix. The worker and the waiting-line ETA read these back.
 */
export const resolvedParamsSchema = z.object({
  preset: z.string(),
  workflow: z.string(),
  prompt: z.string(),
  negative: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  frames: z.number().int().positive(),
  fps: z.number().positive(),
  steps: z.number().int().positive(),
  /** The high-noise pass runs steps [0, splitStep), the low-noise pass [splitStep, steps). */
  splitStep: z.number().int().positive(),
  cfg: z.number(),
  shift: z.number(),
  seed: z.number().int().nonnegative(),
  sampler: z.string(),
  scheduler: z.string(),
  loraHigh: loraChoiceSchema.optional(),
  loraLow: loraChoiceSchema.optional(),
  sageMode: z.string(),
  crf: z.number(),
});
export type ResolvedParams = z.infer<typeof resolvedParamsSchema>;

/** Where this worker's GPUs put the models (env DISTORCH_COMPUTE_DEVICE / DISTORCH_ALLOCATIONS). */
export type Placement = { computeDevice: string; allocations: string };

/** The placement a process's environment names (DISTORCH_COMPUTE_DEVICE / DISTORCH_ALLOCATIONS). */
export function placementFrom(config: { DISTORCH_COMPUTE_DEVICE: string; DISTORCH_ALLOCATIONS: string }): Placement {
  return { computeDevice: config.DISTORCH_COMPUTE_DEVICE, allocations: config.DISTORCH_ALLOCATIONS };
}

/** Everything an i2v graph is bound with, except the uploaded image name and the output prefix. */
export type JobParams = ResolvedParams & Placement;

/** The stored half of a job's parameters: what does not depend on the worker that runs it. */
export function withoutPlacement({ computeDevice: _device, allocations: _allocations, ...resolved }: JobParams): ResolvedParams {
  return resolved;
}

export type ParamOverrides = {
  /** Force the expert hand-over step instead of computing it from the 0.9 noise boundary. */
  splitStep?: number | undefined;
};

/**
 * Turn a member's options into bound values: the one place that applies the preset's
 * defaults and ranges. Refuses (never clamps) what the member asked for explicitly.
 */
export function resolveJobParams(
  preset: Preset,
  options: JobOptions,
  image: Size,
  placement: Placement,
  overrides: ParamOverrides = {},
): Result<JobParams> {
  const checked = validateOptionsForPreset(preset, options);
  if (!checked.ok) return checked;
  const { frames, steps, cfg, resolution, fps } = checked.value;

  const size = pickSize(preset, { aspect: options.aspect, resolution, width: options.width, height: options.height }, image);
  if (!size.ok) return size;

  const splitStep = resolveSplitStep(preset, steps, overrides.splitStep);
  if (!splitStep.ok) return splitStep;

  const { defaults } = preset;
  return ok({
    preset: preset.name,
    workflow: preset.workflow,
    prompt: options.prompt,
    negative: options.negative ?? defaults.negative,
    width: size.value.width,
    height: size.value.height,
    frames,
    fps,
    steps,
    splitStep: splitStep.value,
    cfg,
    shift: defaults.shift,
    seed: options.seed,
    sampler: defaults.sampler,
    scheduler: defaults.scheduler,
    loraHigh: options.loraHigh,
    loraLow: options.loraLow,
    computeDevice: placement.computeDevice,
    allocations: placement.allocations,
    sageMode: defaults.sageMode,
    crf: defaults.crf,
  });
}

function resolveSplitStep(preset: Preset, steps: number, forced: number | undefined): Result<number> {
  if (forced !== undefined) {
    if (Number.isInteger(forced) && forced >= 1 && forced < steps) return ok(forced);
    return fail('split_step_out_of_range', `The hand-over step ${forced} is not allowed with ${steps} steps: choose between 1 and ${steps - 1}.`);
  }
  const fromPreset = preset.defaults.splitStep;
  if (fromPreset !== undefined) {
    // The preset's split is tuned for its default steps; keep the same share for other counts.
    const scaled = Math.round((fromPreset * steps) / preset.defaults.steps);
    return ok(Math.min(Math.max(scaled, 1), steps - 1));
  }
  return ok(computeSplitStep(steps, preset.defaults.shift));
}
