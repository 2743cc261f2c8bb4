import { beforeAll, describe, expect, it } from 'vitest';
import type { JobOptions } from '../../src/workflow/jobOptions.ts';
import type { Presets } from '../../src/workflow/presetSchema.ts';
import { resolveJobParams } from '../../src/workflow/resolveJobParams.ts';
import { validateOptionsForPreset } from '../../src/workflow/validateOptions.ts';
import { loadRepoPresets } from './support.ts';

let presets: Presets;
beforeAll(async () => {
  presets = await loadRepoPresets();
});

const placement = { computeDevice: 'cuda:0', allocations: 'cuda:0,0.25gb;cuda:1,8gb;cpu,*' };
const image = { width: 1920, height: 1080 };
const options = (extra: Partial<JobOptions> = {}): JobOptions => ({ prompt: 'a fox in the snow', preset: 'quality', aspect: 'auto', seed: 42, ...extra });
const resolve = (extra: Partial<JobOptions> = {}, preset = 'quality') => resolveJobParams(presets[preset]!, options(extra), image, placement);
const refusal = (extra: Partial<JobOptions>, preset = 'quality') => {
  const result = resolve(extra, preset);
  return result.ok ? 'accepted' : `${result.error.code}: ${result.error.message}`;
};

describe('a member who asks for nothing gets the preset', () => {
  it('GIVEN quality THEN 8 steps, 41 frames, split at 3, a 16:9 frame inside 480×480', () => {
    const result = resolve();
    expect(result.ok && result.value).toMatchObject({
      width: 640, height: 352, frames: 41, steps: 8, splitStep: 3, cfg: 5, shift: 5, fps: 16, seed: 42,
      sampler: 'euler', scheduler: 'simple', sageMode: 'auto',
      computeDevice: 'cuda:0', allocations: placement.allocations, workflow: 'wan22_i2v_distorch2',
    });
  });
  it('GIVEN fast THEN 4 steps split 2/2 and 25 frames', () => {
    const result = resolve({}, 'fast');
    expect(result.ok && [result.value.steps, result.value.splitStep, result.value.frames]).toEqual([4, 2, 25]);
  });
  it('GIVEN maximum THEN 12 steps and 81 frames', () => {
    const result = resolve({}, 'maximum');
    expect(result.ok && [result.value.steps, result.value.frames]).toEqual([12, 81]);
  });
  it('GIVEN no negative prompt THEN the preset default is used', () => {
    const result = resolve();
    expect(result.ok && result.value.negative).toBe(presets.quality!.defaults.negative);
  });
  it('GIVEN 20 steps THEN the split moves to 8', () => {
    const result = resolve({ steps: 20 });
    expect(result.ok && result.value.splitStep).toBe(8);
  });
  it('GIVEN a forced split step THEN it wins; out of range it is refused', () => {
    const forced = resolveJobParams(presets.quality!, options(), image, placement, { splitStep: 4 });
    expect(forced.ok && forced.value.splitStep).toBe(4);
    const bad = resolveJobParams(presets.quality!, options(), image, placement, { splitStep: 8 });
    expect(bad.ok ? 'accepted' : bad.error.code).toBe('split_step_out_of_range');
  });
});

describe('values out of range are refused with the allowed range, never clamped', () => {
  it('GIVEN frames 42 THEN suggests 41 or 45', () => expect(refusal({ frames: 42 })).toBe('frames_not_4k_plus_1: 42 frames is not allowed: frame counts are 4k+1; try 41 or 45.'));
  it('GIVEN frames 80 THEN suggests 77 or 81', () => expect(refusal({ frames: 80 })).toContain('try 77 or 81'));
  it('GIVEN frames 100 THEN states the range 17 to 81', () => expect(refusal({ frames: 100 })).toMatch(/^frames_out_of_range: .*between 17 and 81 frames/));
  it('GIVEN frames 13 THEN states the range', () => expect(refusal({ frames: 13 })).toMatch(/^frames_out_of_range/));
  it('GIVEN frames 18 THEN only the in-range suggestion 17 or 21', () => expect(refusal({ frames: 18 })).toContain('try 17 or 21'));
  it('GIVEN steps 30 THEN states 4 to 20', () => expect(refusal({ steps: 30 })).toMatch(/^steps_out_of_range: .*between 4 and 20/));
  it('GIVEN steps 3 THEN refused', () => expect(refusal({ steps: 3 })).toMatch(/^steps_out_of_range/));
  it('GIVEN cfg 12 THEN states 1 to 10', () => expect(refusal({ cfg: 12 })).toMatch(/^cfg_out_of_range: .*between 1 and 10/));
  it('GIVEN a LoRA at strength 5 THEN states the strength range', () => {
    expect(refusal({ loraHigh: { name: 'x_high.safetensors', strength: 5 } })).toMatch(/^lora_strength_out_of_range: .*between 0 and 2/);
  });
  it('GIVEN frames 81 and steps 20 and cfg 1 THEN accepted (range ends are inclusive)', () => expect(refusal({ frames: 81, steps: 20, cfg: 1 })).toBe('accepted'));
  it('GIVEN resolution 800 THEN states 256 to 720', () => expect(refusal({ resolution: 800 })).toMatch(/^resolution_out_of_range: .*between 256 and 720/));
  it('GIVEN resolution 256 THEN a smaller video', () => {
    const result = resolve({ resolution: 256 });
    expect(result.ok && [result.value.width, result.value.height]).toEqual([336, 192]);
  });
  it('GIVEN fps 60 THEN states 8 to 30', () => expect(refusal({ fps: 60 })).toMatch(/^fps_out_of_range: .*between 8 and 30/));
  it('GIVEN fps 24 THEN the video plays at 24', () => expect(resolve({ fps: 24 }).ok && (resolve({ fps: 24 }) as { value: { fps: number } }).value.fps).toBe(24));
  it('GIVEN width 500 THEN refused as not a multiple of 16', () => expect(refusal({ width: 500, height: 480 })).toMatch(/^width_not_multiple_of_16/));
});

describe('instant feedback before the image is downloaded', () => {
  it('GIVEN nothing THEN the preset defaults', () => {
    expect(validateOptionsForPreset(presets.fast!, {})).toEqual({ ok: true, value: { frames: 25, steps: 4, cfg: 5, resolution: 480, fps: 16 } });
  });
  it('GIVEN frames 42 THEN the same refusal as at enqueue', () => {
    const result = validateOptionsForPreset(presets.fast!, { frames: 42 });
    expect(result.ok ? 'accepted' : result.error.code).toBe('frames_not_4k_plus_1');
  });
});
