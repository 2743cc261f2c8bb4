import { describe, expect, it } from 'vitest';
import { isFrameCount, suggestFrames } from '../../src/workflow/frames.ts';
import { computeSplitStep, shiftedSigma } from '../../src/workflow/splitStep.ts';

describe('frame counts are 4k+1', () => {
  it.each([17, 21, 25, 41, 49, 81, 121])('GIVEN %i frames THEN it is valid', (n) => expect(isFrameCount(n)).toBe(true));
  it.each([16, 18, 40, 42, 80, 82, 0, 1.5])('GIVEN %s frames THEN it is not', (n) => expect(isFrameCount(n)).toBe(false));
  it('GIVEN frames 42 THEN suggests 41 and 45', () => expect(suggestFrames(42)).toEqual([41, 45]));
  it('GIVEN frames 40 THEN suggests 37 and 41', () => expect(suggestFrames(40)).toEqual([37, 41]));
  it('GIVEN frames 80 THEN suggests 77 and 81', () => expect(suggestFrames(80)).toEqual([77, 81]));
  it('GIVEN a valid count THEN suggests only itself', () => expect(suggestFrames(81)).toEqual([81]));
});

describe('the high/low split follows the 0.9 noise boundary at shift 5', () => {
  it.each([
    [4, 2],
    [6, 3],
    [8, 3],
    [12, 5],
    [20, 8],
  ])('GIVEN %i steps THEN the high-noise pass runs %i', (steps, high) => expect(computeSplitStep(steps, 5)).toBe(high));
  it('GIVEN the simple scheduler at shift 5 THEN the 6-step sigmas are those of the protocol notes', () => {
    const sigmas = [0, 1, 2, 3, 4, 5].map((i) => Number(shiftedSigma(1 - i / 6, 5).toFixed(3)));
    expect(sigmas).toEqual([1, 0.962, 0.909, 0.833, 0.714, 0.5]);
  });
  it('GIVEN shift 1 (no shift) THEN only the steps down to sigma 0.9 are high-noise', () => expect(computeSplitStep(20, 1)).toBe(3));
  it('GIVEN any step count THEN each pass keeps at least one step', () => {
    for (const steps of [2, 3, 4, 5, 20, 40]) {
      for (const shift of [0.5, 1, 5, 8, 50]) {
        const split = computeSplitStep(steps, shift);
        expect(split).toBeGreaterThanOrEqual(1);
        expect(split).toBeLessThanOrEqual(steps - 1);
      }
    }
  });
});
