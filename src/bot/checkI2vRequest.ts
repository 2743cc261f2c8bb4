import { fail, ok, type Result } from '../errors.ts';
import { checkRequestedOptions } from '../workflow/checkRequestedOptions.ts';
import { ASPECTS, type Aspect, type RequestedOptions } from '../workflow/jobOptions.ts';
import { listPresets } from '../workflow/loadPresets.ts';
import type { Preset, Presets } from '../workflow/presetSchema.ts';
import { validateOptionsForPreset } from '../workflow/validateOptions.ts';
import { refuse } from '../media/refusals.ts';

/**
 * Everything /i2v can check from the interaction alone, before answering Discord: the
 * attachment's declared type and size, every option against the chosen preset and the
 * stored job's schema, the LoRA names against ComfyUI's cached list. Pure, so it runs in microseconds.
 */

export type AttachmentFacts = {
  contentType: string | null | undefined;
  size: number;
  width: number | null | undefined;
  height: number | null | undefined;
  filename: string;
};

export type RawI2vOptions = {
  prompt?: string | undefined;
  negative?: string | undefined;
  preset?: string | undefined;
  frames?: number | undefined;
  resolution?: number | undefined;
  fps?: number | undefined;
  aspect?: string | undefined;
  steps?: number | undefined;
  cfg?: number | undefined;
  seed?: number | undefined;
  lora_high?: string | undefined;
  lora_low?: string | undefined;
  lora_strength?: number | undefined;
  spoiler?: boolean | undefined;
};

export type I2vRequestLimits = {
  maxInputBytes: number;
  maxInputPixels: number;
  /** Whether ComfyUI has this LoRA; undefined when the list is not known (then the worker checks). */
  loraKnown: (name: string) => boolean | undefined;
};

export type CheckedI2vRequest = { preset: Preset; options: RequestedOptions };

export function checkAttachment(attachment: AttachmentFacts, limits: I2vRequestLimits): Result<true> {
  const type = attachment.contentType?.split(';')[0]?.trim().toLowerCase();
  if (!type || !type.startsWith('image/')) {
    return fail('attachment_not_image', `\`${attachment.filename}\` is not an image. Attach a PNG, JPEG or WebP picture as the first frame of your video.`);
  }
  if (attachment.size > limits.maxInputBytes) {
    return { ok: false, error: refuse.tooLarge(limits.maxInputBytes, attachment.size) };
  }
  const { width, height } = attachment;
  if (width && height && width * height > limits.maxInputPixels) {
    const megapixels = Math.floor(limits.maxInputPixels / 1_000_000);
    return fail('image_too_many_pixels', `That image is ${width}×${height}; I can read up to ${megapixels} megapixels. Scale it down (e.g. 2048 pixels on the long side) and send it again.`);
  }
  return ok(true);
}

export function pickPreset(presets: Presets, name: string | undefined): Result<Preset> {
  const all = listPresets(presets);
  const chosen = name === undefined ? all[0] : presets[name];
  if (chosen) return ok(chosen);
  return fail('unknown_preset', `There is no preset called \`${name}\`. Choose one of: ${all.map((p) => `\`${p.name}\``).join(', ')}.`);
}

function checkLora(which: 'lora_high' | 'lora_low', name: string | undefined, known: I2vRequestLimits['loraKnown']): Result<true> {
  if (name === undefined || known(name) !== false) return ok(true);
  return fail('unknown_lora', `ComfyUI has no LoRA called \`${name}\` (${which}). Pick one from the list that appears while you type.`);
}

export function checkI2vRequest(attachment: AttachmentFacts, raw: RawI2vOptions, presets: Presets, limits: I2vRequestLimits): Result<CheckedI2vRequest> {
  const attachmentCheck = checkAttachment(attachment, limits);
  if (!attachmentCheck.ok) return attachmentCheck;
  const preset = pickPreset(presets, raw.preset);
  if (!preset.ok) return preset;
  const aspect = (raw.aspect ?? 'auto') as Aspect;
  if (!ASPECTS.includes(aspect)) return fail('unknown_aspect', `Aspect must be one of ${ASPECTS.join(', ')}.`);
  for (const which of ['lora_high', 'lora_low'] as const) {
    const checked = checkLora(which, raw[which], limits.loraKnown);
    if (!checked.ok) return checked;
  }
  const strength = raw.lora_strength ?? preset.value.defaults.loraStrength;
  const options = {
    prompt: raw.prompt ?? '',
    negative: raw.negative,
    preset: preset.value.name,
    frames: raw.frames,
    resolution: raw.resolution,
    fps: raw.fps,
    aspect,
    steps: raw.steps,
    cfg: raw.cfg,
    seed: raw.seed,
    loraHigh: raw.lora_high ? { name: raw.lora_high, strength } : undefined,
    loraLow: raw.lora_low ? { name: raw.lora_low, strength } : undefined,
    ...(raw.spoiler ? { spoiler: true } : {}),
  };
  // The preset's ranges first (their words name the preset), then every bound of the stored
  // job's schema, so nothing accepted here fails at enqueue after the public deferral.
  const valid = validateOptionsForPreset(preset.value, options);
  if (!valid.ok) return valid;
  const stored = checkRequestedOptions(options);
  if (!stored.ok) return stored;
  return ok({ preset: preset.value, options: stored.value });
}
