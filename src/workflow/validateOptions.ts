import { fail, ok, type Result } from '../errors.ts';
import type { JobOptions, LoraChoice } from './jobOptions.ts';
import { isFrameCount, suggestFrames } from './frames.ts';
import { checkEdge } from './pickSize.ts';
import type { Preset } from './presetSchema.ts';

/** The member's numbers after the preset's defaults fill the gaps. */
export type CheckedOptions = { frames: number; steps: number; cfg: number; resolution: number; fps: number };

const orList = (values: number[]) => (values.length === 2 ? `${values[0]} or ${values[1]}` : values.join(', '));

/** Frames: a value outside the range is refused with the range; a near miss gets the nearest valid counts. */
export function checkFrames(preset: Preset, frames: number): Result<number> {
  const { min, max } = preset.ranges.frames;
  if (!Number.isInteger(frames) || frames < min || frames > max) {
    return fail('frames_out_of_range', `${frames} frames is not allowed with ${preset.label}: choose between ${min} and ${max} frames (4k+1, e.g. ${min}, ${min + 4}, … ${max}).`);
  }
  if (!isFrameCount(frames)) {
    const nearest = suggestFrames(frames).filter((n) => n >= min && n <= max);
    return fail('frames_not_4k_plus_1', `${frames} frames is not allowed: frame counts are 4k+1; try ${orList(nearest)}.`);
  }
  return ok(frames);
}

function checkRange(code: string, what: string, value: number, range: { min: number; max: number }, preset: Preset, integer: boolean): Result<number> {
  if ((integer && !Number.isInteger(value)) || !(value >= range.min && value <= range.max)) {
    const kind = integer ? 'a whole number ' : '';
    return fail(code, `${what} ${value} is not allowed with ${preset.label}: choose ${kind}between ${range.min} and ${range.max}.`);
  }
  return ok(value);
}

function checkLora(which: 'high' | 'low', lora: LoraChoice | undefined, preset: Preset): Result<undefined> {
  if (!lora) return ok(undefined);
  const checked = checkRange('lora_strength_out_of_range', `The ${which}-noise LoRA strength`, lora.strength, preset.ranges.loraStrength, preset, false);
  return checked.ok ? ok(undefined) : checked;
}

/**
 * Everything about a member's options that can be checked before the image is
 * downloaded, so /i2v can answer at once. Pure.
 */
export function validateOptionsForPreset(preset: Preset, options: Partial<JobOptions>): Result<CheckedOptions> {
  const frames = checkFrames(preset, options.frames ?? preset.defaults.frames);
  if (!frames.ok) return frames;
  const steps = checkRange('steps_out_of_range', 'Steps', options.steps ?? preset.defaults.steps, preset.ranges.steps, preset, true);
  if (!steps.ok) return steps;
  const cfg = checkRange('cfg_out_of_range', 'CFG', options.cfg ?? preset.defaults.cfg, preset.ranges.cfg, preset, false);
  if (!cfg.ok) return cfg;
  const resolution = checkRange('resolution_out_of_range', 'Resolution', options.resolution ?? preset.defaults.resolution, preset.ranges.resolution, preset, true);
  if (!resolution.ok) return resolution;
  const fps = checkRange('fps_out_of_range', 'A frame rate of', options.fps ?? preset.defaults.fps, preset.ranges.fps, preset, true);
  if (!fps.ok) return fps;
  for (const [which, lora] of [['high', options.loraHigh], ['low', options.loraLow]] as const) {
    const checked = checkLora(which, lora, preset);
    if (!checked.ok) return checked;
  }
  for (const edge of ['width', 'height'] as const) {
    const value = options[edge];
    if (value === undefined) continue;
    const checked = checkEdge(edge, value, preset);
    if (!checked.ok) return checked;
  }
  return ok({ frames: frames.value, steps: steps.value, cfg: cfg.value, resolution: resolution.value, fps: fps.value });
}
