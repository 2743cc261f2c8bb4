import type { Aspect } from './jobOptions.ts';
import { fail, ok, type Result } from '../errors.ts';
import type { Preset } from './presetSchema.ts';

/**
 * The video's width and height, by the owner's rule (their hardware table is width×height:
 * 256×256 smallest, 480×480 recommended, 720×720 largest tested). A resolution is the side of a
 * square pixel budget: 480 → at most 480×480 px. The video keeps the image's aspect ratio inside
 * that budget, its long edge never above the preset's max edge (`ranges.edge.max`, 720), both
 * edges multiples of 16. A square image at 480 is 480×480; a 16:9 one 640×352.
 */

export type Size = { width: number; height: number };

/** Wider or taller than 21:9 would be a sliver; such images are cropped to 21:9. */
export const MAX_ASPECT = 21 / 9;

export function pixelBudget(resolution: number): number {
  return resolution * resolution;
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

const around16 = (n: number) => [...new Set([Math.floor(n / 16) * 16, Math.ceil(n / 16) * 16])].map((edge) => Math.max(16, edge));

export function sizeForBudget(ratio: number, resolution: number, preset: Preset): Size {
  const clamped = Math.min(MAX_ASPECT, Math.max(1 / MAX_ASPECT, ratio));
  const budget = pixelBudget(resolution);
  const maxEdge = Math.floor(preset.ranges.edge.max / 16) * 16;
  let width = Math.sqrt(budget * clamped);
  let height = Math.sqrt(budget / clamped);
  const over = Math.max(width, height) / maxEdge;
  if (over > 1) [width, height] = [width / over, height / over];
  // Of the multiples of 16 around the exact size, the one inside the budget and the max edge
  // whose shape is closest to the image's (then the larger).
  const candidates = around16(width)
    .flatMap((w) => around16(height).map((h) => ({ width: clampEdge(w, preset), height: clampEdge(h, preset) })))
    .filter((size) => size.width * size.height <= budget && Math.max(size.width, size.height) <= maxEdge);
  const misfit = (size: Size) => Math.abs(Math.log(size.width / size.height / clamped));
  const best = candidates.sort((a, b) => misfit(a) - misfit(b) || b.width * b.height - a.width * a.height)[0];
  return best ?? { width: clampEdge(Math.floor(width / 16) * 16, preset), height: clampEdge(Math.floor(height / 16) * 16, preset) };
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

export type SizeRequest = {
  aspect: Aspect;
  /** The member's pixel budget (side of a square); default the preset's. */
  resolution?: number | undefined;
  width?: number | undefined;
  height?: number | undefined;
};

/** Explicit width/height win over the aspect; one explicit edge takes the other from the aspect. */
export function pickSize(preset: Preset, request: SizeRequest, image: Size): Result<Size> {
  const ratio = aspectRatio(request.aspect, image);
  if (request.width === undefined && request.height === undefined) {
    return ok(sizeForBudget(ratio, request.resolution ?? preset.defaults.resolution, preset));
  }
  const width = request.width ?? clampEdge(roundTo16((request.height ?? 0) * ratio), preset);
  const height = request.height ?? clampEdge(roundTo16(width / ratio), preset);
  const checkedWidth = checkEdge('width', width, preset);
  if (!checkedWidth.ok) return checkedWidth;
  const checkedHeight = checkEdge('height', height, preset);
  if (!checkedHeight.ok) return checkedHeight;
  const maxResolution = preset.ranges.resolution.max;
  if (width * height > pixelBudget(maxResolution)) {
    const example = sizeForBudget(width / height, maxResolution, preset);
    return fail('size_too_large', `${width}×${height} is more pixels than this preset allows (at most ${maxResolution}×${maxResolution}, e.g. ${example.width}×${example.height} in this shape).`);
  }
  return ok({ width, height });
}
