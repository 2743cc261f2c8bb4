import type { Gpu } from '../comfy/systemFacts.ts';
import type { Preset } from './presetSchema.ts';

/**
 * Whether a preset's VRAM needs fit an instance's GPUs: on the GPU alone (`fits`), only with
 * DisTorch2 putting most weights in CPU RAM (`offload`, slow), not at all (`too_small`), or
 * `unknown` when ComfyUI reports no GPU (a CPU box, or a server that lists none). Pure.
 */
export type VramVerdict = 'fits' | 'offload' | 'too_small' | 'unknown';
export type VramFit = { verdict: VramVerdict; largestGb: number | undefined; needs: Preset['vram'] };

const GB = 1024 ** 3;

export function vramFit(needs: Preset['vram'], gpus: readonly Gpu[]): VramFit {
  const totals = gpus.map((gpu) => gpu.totalBytes).filter((bytes): bytes is number => bytes !== undefined && bytes > 0);
  if (totals.length === 0) return { verdict: 'unknown', largestGb: undefined, needs };
  // Rounded like a card's label: a "16 GB" card reports a little less than 16 GiB.
  const largestGb = Math.round((Math.max(...totals) / GB) * 10) / 10;
  const at = (gb: number) => largestGb + 0.5 >= gb;
  const verdict: VramVerdict = at(needs.minGb) ? 'fits' : at(needs.offloadMinGb) ? 'offload' : 'too_small';
  return { verdict, largestGb, needs };
}

/** "fits (16 GB GPU, needs 12)", "needs CPU offload (…)", … */
export function describeVramFit(fit: VramFit): string {
  const { needs } = fit;
  switch (fit.verdict) {
    case 'unknown':
      return `VRAM unknown (no GPU reported; needs ${needs.minGb} GB, ${needs.offloadMinGb} GB with CPU offload)`;
    case 'fits':
      return `fits the ${fit.largestGb} GB GPU (needs ${needs.minGb} GB, ${needs.recommendedGb} GB recommended)`;
    case 'offload':
      return `only with CPU offload on the ${fit.largestGb} GB GPU (needs ${needs.minGb} GB, ${needs.offloadMinGb} GB with offload; slow)`;
    case 'too_small':
      return `does not fit the ${fit.largestGb} GB GPU even with CPU offload (needs ${needs.offloadMinGb} GB)`;
  }
}
