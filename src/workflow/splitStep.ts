/**
 * Where the high-noise expert hands over to the low-noise one. Wan2.2 I2V switches
 * experts at noise level 0.9; with ComfyUI's `simple` scheduler on a shifted flow model
 * the noise at step i is sigma(t) = shift·t / (1 + (shift − 1)·t), t = 1 − i/steps.
 * The high-noise steps are those that start at sigma ≥ 0.9.
 */

/** The official Wan2.2 I2V expert boundary. */
export const NOISE_BOUNDARY = 0.9;

export function shiftedSigma(t: number, shift: number): number {
  return (shift * t) / (1 + (shift - 1) * t);
}

/** Steps run by the high-noise pass: 4 → 2, 6 → 3, 8 → 3, 20 → 8 at shift 5. Always leaves each pass at least one step. */
export function computeSplitStep(steps: number, shift: number, boundary: number = NOISE_BOUNDARY): number {
  if (steps < 2) return steps;
  let high = 0;
  for (let i = 0; i < steps; i += 1) {
    // A hair of tolerance so a sigma that lands exactly on the boundary counts as high noise.
    if (shiftedSigma(1 - i / steps, shift) >= boundary - 1e-9) high += 1;
    else break;
  }
  return Math.min(Math.max(high, 1), steps - 1);
}
