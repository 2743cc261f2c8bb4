/**
 * Wan2.2 decodes (length − 1) // 4 + 1 latent frames back to 4k+1 frames, so any other
 * count is silently floored by ComfyUI. We refuse it instead and say what would work.
 */

export function isFrameCount(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n - 1) % 4 === 0;
}

/** The valid counts nearest to `n`: `[n]` when it is valid, else the one below and the one above. */
export function suggestFrames(n: number): number[] {
  if (isFrameCount(n)) return [n];
  const below = Math.floor((n - 1) / 4) * 4 + 1;
  const above = below + 4;
  return below >= 1 ? [below, above] : [above];
}
