import { beforeAll, describe, expect, it } from 'vitest';
import { pickSize, pixelBudget, sizeForBudget } from '../../src/workflow/pickSize.ts';
import type { Preset, Presets } from '../../src/workflow/presetSchema.ts';
import { loadRepoPresets } from './support.ts';

let presets: Presets;
let quality: Preset;
beforeAll(async () => {
  presets = await loadRepoPresets();
  quality = presets.quality!;
});

describe("the owner's size rule: a square pixel budget, the long edge at most 720, multiples of 16, the aspect kept", () => {
  // [image width, image height, resolution, expected width, expected height]
  const table: Array<[number, number, number, number, number]> = [
    [999, 999, 480, 480, 480], // square at the default: exactly the owner's recommended 480×480
    [1920, 1080, 480, 640, 352], // 16:9: about 640×360, rounded to 16 inside the budget
    [1080, 1920, 480, 352, 640],
    [1600, 1200, 480, 544, 416], // 4:3
    [3024, 4032, 480, 416, 544], // a portrait phone photo
    [1000, 1000, 256, 256, 256], // the owner's minimum
    [1000, 1000, 720, 720, 720], // the owner's largest tested
    [1920, 1080, 720, 720, 400], // 16:9 at 720: the long edge stops at 720
    [1500, 1000, 720, 720, 480], // 3:2 at 720: the owner's pending 720×480
    [2100, 900, 480, 720, 304], // 21:9
    [5000, 500, 480, 720, 304], // 10:1 is cropped to 21:9 rather than a sliver
  ];
  it.each(table)('GIVEN a %i×%i image at resolution %i THEN %i×%i', (width, height, resolution, expectedWidth, expectedHeight) => {
    expect(pickSize(quality, { aspect: 'auto', resolution }, { width, height })).toEqual({ ok: true, value: { width: expectedWidth, height: expectedHeight } });
  });
  it('GIVEN aspect 9:16 THEN the image shape is ignored', () => {
    expect(pickSize(quality, { aspect: '9:16' }, { width: 1000, height: 1000 })).toEqual({ ok: true, value: { width: 352, height: 640 } });
  });

  const shapes: Array<[number, number]> = [
    [1, 1], [4, 3], [3, 4], [16, 9], [9, 16], [3, 2], [2, 3], [21, 9], [9, 21], [5, 4], [1.85, 1], [2.39, 1], [10, 1], [1, 10], [1234, 567], [7, 1000],
  ];
  it.each(shapes)('GIVEN an image %s:%s THEN multiples of 16, never above the budget or 720, never far below the budget', (w, h) => {
    for (const resolution of [256, 320, 480, 576, 720]) {
      const size = sizeForBudget(w / h, resolution, quality);
      for (const edge of [size.width, size.height]) {
        expect(edge % 16).toBe(0);
        expect(edge).toBeGreaterThanOrEqual(quality.ranges.edge.min);
        expect(edge).toBeLessThanOrEqual(720);
      }
      const area = size.width * size.height;
      expect(area).toBeLessThanOrEqual(pixelBudget(resolution));
      // Below the budget only where the 720 edge cap bites (wide shapes at high resolutions).
      if (Math.max(size.width, size.height) < 704) expect(area / pixelBudget(resolution)).toBeGreaterThan(0.85);
    }
  });
  it.each(['fast', 'quality', 'maximum'])('GIVEN preset %s by default THEN no frame is larger than 720 on its long edge', (name) => {
    const preset = presets[name]!;
    for (const [w, h] of shapes) {
      const result = pickSize(preset, { aspect: 'auto' }, { width: w * 1000, height: h * 1000 });
      expect(result.ok && Math.max(result.value.width, result.value.height)).toBeLessThanOrEqual(720);
    }
  });
});

describe('an explicit size (the CLI) is checked, not adjusted', () => {
  it('GIVEN 720×480 THEN it is used as is', () => {
    expect(pickSize(quality, { aspect: 'auto', width: 720, height: 480 }, { width: 10, height: 10 })).toEqual({ ok: true, value: { width: 720, height: 480 } });
  });
  it('GIVEN width 470 THEN refused with the nearest multiples of 16', () => {
    const result = pickSize(quality, { aspect: 'auto', width: 470, height: 480 }, { width: 10, height: 10 });
    expect(result.ok || result.error.message).toContain('try 464 or 480');
  });
  it('GIVEN only a width THEN the height follows the image', () => {
    expect(pickSize(quality, { aspect: 'auto', width: 640 }, { width: 1600, height: 900 })).toEqual({ ok: true, value: { width: 640, height: 368 } });
  });
  it('GIVEN 832×480 THEN refused: the long edge is above 720', () => {
    const result = pickSize(quality, { aspect: 'auto', width: 832, height: 480 }, { width: 10, height: 10 });
    expect(result.ok ? undefined : result.error.code).toBe('width_out_of_range');
  });
});
