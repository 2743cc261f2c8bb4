import { fail, ok, type Result } from '../errors.ts';
import { refuse } from './refusals.ts';

/**
 * What image shapes we accept, as pure rules. Wan renders 480p–720p-ish frames, so a
 * tiny image gives mush, a strip gives a crop of nothing, and a huge one is only cost.
 */
export const IMAGE_LIMITS = {
  /** Shortest edge below this is refused: too little to animate. */
  minEdge: 64,
  /** Longest edge above this is refused, whatever the pixel count. */
  maxEdge: 16_384,
  /** Long edge : short edge above this is refused; cropping to 16:9 would keep a sliver. */
  maxAspect: 4,
  /** Frames of an animation we are willing to have in a file we only read the first frame of. */
  maxPages: 1_000,
  /** Pages × pixels per page, as a multiple of maxPixels: an animation bomb guard. */
  maxAnimationFactor: 10,
} as const;

export type ImageLimits = { [K in keyof typeof IMAGE_LIMITS]: number } & { maxPixels: number };

export type ImageShape = { width: number; height: number; pages: number };

const megapixels = (pixels: number) => `${Number((pixels / 1_000_000).toFixed(1))} MP`;

/** Pure: the shape passes, or a UserError that says what to send instead. */
export function checkImageShape(shape: ImageShape, limits: ImageLimits): Result<ImageShape> {
  const { width, height, pages } = shape;
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const pixels = width * height;
  const say = (message: string) => fail<ImageShape>(refuse.dimensions(message).code, message);

  if (short < limits.minEdge) {
    return say(`That image is only ${width}×${height} pixels; send one at least ${limits.minEdge} pixels on each side (512 or more looks best).`);
  }
  if (long > limits.maxEdge || pixels > limits.maxPixels) {
    return say(`That image is ${width}×${height} pixels (${megapixels(pixels)}), more than I accept (${megapixels(limits.maxPixels)}, ${limits.maxEdge} px per side); scale it down, e.g. to 2048 pixels on the long side, and send it again.`);
  }
  if (long / short > limits.maxAspect) {
    return say(`That image is ${width}×${height}, too long and thin to animate; crop it to at most ${limits.maxAspect}:1 (16:9, 1:1 or 9:16 work best) and send it again.`);
  }
  if (pages > limits.maxPages || pages * pixels > limits.maxAnimationFactor * limits.maxPixels) {
    return say(`That animation has ${pages} frames of ${width}×${height}, too much for me to read; send a single still image (PNG or JPEG) instead.`);
  }
  return ok(shape);
}
