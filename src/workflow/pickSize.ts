import type { Aspect } from './jobOptions.ts';
import { fail, ok, type Result } from '../errors.ts';
import type { Preset } from './presetSchema.ts';

/**
 * The video's width and height. `resolution` is the short edge of a 16:9 frame whose
 * area is the pixel budget (480 → 480×853 ≈ 410k px, the official 480×832 give or take);
 * the video keeps the image's aspect ratio at that budget, each edge a multiple of 16.
 */

export type Size = { width: number; height: number };

/** Wider or taller than 21:9 would be a sliver; such images are cropped to 21:9. */
export const MAX_ASPECT = 21 / 9;

export function pixelBudget(resolution: number): number {
  return (resolution * resolution * 16) / 9;
}

export const roundTo16 = (n: number) => Math.max(16, Math.round(n / 16) * 16);

function clampEdge(n: number, preset: Preset): number {
  const { min, max } = preset.ranges.edge;
  return Math.min(Math.floor(max / 16) * 16, Math.max(Math.ceil(min / 16) * 16, n));
}

/** Width over height of the requested aspect; `auto` follows the image. */
export function aspectRatio(aspect: Aspect, image: Size): number {
  if (aspect === 'auto') return image.width / image.height;
  const [w, h] = aspect.split(':').map(Number);
  return (w ?? 1) / (h ?? 1);
}

export function sizeForBudget(ratio: number, resolution: number, preset: Preset): Size {
  const clamped = Math.min(MAX_ASPECT, Math.max(1 / MAX_ASPECT, ratio));
  const budget = pixelBudget(resolution);
  return {
    width: clampEdge(roundTo16(Math.sqrt(budget * clamped)), preset),
    height: clampEdge(roundTo16(Math.sqrt(budget / clamped)), preset),
  };
}

/** Check one explicit edge (the CLI's --width/--height). */
export function checkEdge(name: 'width' | 'height', value: number, preset: Preset): Result<number> {
  const { min, max } = preset.ranges.edge;
  if (!Number.isInteger(value) || value < min || value > max) {
    return fail(`${name}_out_of_range`, `A ${name} of ${value} px is not allowed: it must be between ${min} and ${max} px.`);
  }
  if (value % 16 !== 0) {
    const below = Math.floor(value / 16) * 16;
    return fail(`${name}_not_multiple_of_16`, `A ${name} of ${value} px is not allowed: edges are multiples of 16; try ${below} or ${below + 16}.`);
  }
  return ok(value);
}

export type SizeRequest = { aspect: Aspect; width?: number | undefined; height?: number | undefined };

/** Explicit width/height win over the aspect; one explicit edge takes the other from the aspect. */
export function pickSize(preset: Preset, request: SizeRequest, image: Size): Result<Size> {
  const ratio = aspectRatio(request.aspect, image);
  if (request.width === undefined && request.height === undefined) {
    return ok(sizeForBudget(ratio, preset.defaults.resolution, preset));
  }
  const width = request.width ?? clampEdge(roundTo16((request.height ?? 0) * ratio), preset);
  const height = request.height ?? clampEdge(roundTo16(width / ratio), preset);
  const checkedWidth = checkEdge('width', width, preset);
  if (!checkedWidth.ok) return checkedWidth;
  const checkedHeight = checkEdge('height', height, preset);
  if (!checkedHeight.ok) return checkedHeight;
  const maxResolution = preset.ranges.resolution.max;
  if (width * height > pixelBudget(maxResolution) * 1.05) {
    return fail('size_too_large', `${width}×${height} is more pixels than this preset allows (about ${Math.round(pixelBudget(maxResolution) / 1000)}k, e.g. ${sizeForBudget(width / height, maxResolution, preset).width}×${sizeForBudget(width / height, maxResolution, preset).height}).`);
  }
  return ok({ width, height });
}
