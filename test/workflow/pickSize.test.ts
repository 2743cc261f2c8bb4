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

describe('the video size keeps the image aspect at the pixel budget', () => {
  it('GIVEN a 16:9 image at 480 THEN 848×480', () => {
    expect(pickSize(quality, { aspect: 'auto' }, { width: 1920, height: 1080 })).toEqual({ ok: true, value: { width: 848, height: 480 } });
  });
  it('GIVEN a portrait phone photo THEN a portrait video', () => {
    expect(pickSize(quality, { aspect: 'auto' }, { width: 3024, height: 4032 })).toEqual({ ok: true, value: { width: 560, height: 736 } });
  });
  it('GIVEN a square image THEN 640×640', () => {
    expect(pickSize(quality, { aspect: 'auto' }, { width: 999, height: 999 })).toEqual({ ok: true, value: { width: 640, height: 640 } });
  });
  it('GIVEN aspect 9:16 THEN the image shape is ignored', () => {
    expect(pickSize(quality, { aspect: '9:16' }, { width: 1000, height: 1000 })).toEqual({ ok: true, value: { width: 480, height: 848 } });
  });

  const shapes: Array<[number, number]> = [
    [1, 1], [4, 3], [3, 4], [16, 9], [9, 16], [3, 2], [2, 3], [21, 9], [9, 21], [5, 4], [1.85, 1], [2.39, 1], [10, 1], [1, 10], [1234, 567], [7, 1000],
  ];
  it.each(shapes)('GIVEN an image %s:%s THEN both edges are multiples of 16 within range and near the budget', (w, h) => {
    for (const resolution of [256, 480, 720]) {
      const size = sizeForBudget(w / h, resolution, quality);
      for (const edge of [size.width, size.height]) {
        expect(edge % 16).toBe(0);
        expect(edge).toBeGreaterThanOrEqual(quality.ranges.edge.min);
        expect(edge).toBeLessThanOrEqual(quality.ranges.edge.max);
      }
      const area = size.width * size.height;
      expect(area / pixelBudget(resolution)).toBeGreaterThan(0.85);
      expect(area / pixelBudget(resolution)).toBeLessThan(1.15);
    }
  });
  it('GIVEN a 10:1 banner THEN it is cropped to 21:9 rather than a sliver', () => {
    const size = sizeForBudget(10, 480, quality);
    expect(size.width / size.height).toBeLessThan(2.45);
  });
  it('GIVEN 720 THEN the official 1280×720', () => expect(sizeForBudget(16 / 9, 720, quality)).toEqual({ width: 1280, height: 720 }));
});

describe('an explicit size (the CLI) is checked, not adjusted', () => {
  it('GIVEN 832×480 THEN it is used as is', () => {
    expect(pickSize(quality, { aspect: 'auto', width: 832, height: 480 }, { width: 10, height: 10 })).toEqual({ ok: true, value: { width: 832, height: 480 } });
  });
  it('GIVEN width 470 THEN refused with the nearest multiples of 16', () => {
    const result = pickSize(quality, { aspect: 'auto', width: 470, height: 480 }, { width: 10, height: 10 });
    expect(result.ok || result.error.message).toContain('try 464 or 480');
  });
  it('GIVEN only a width THEN the height follows the image', () => {
    expect(pickSize(quality, { aspect: 'auto', width: 640 }, { width: 1600, height: 900 })).toEqual({ ok: true, value: { width: 640, height: 368 } });
  });
  it('GIVEN 1536×1536 THEN refused as more pixels than the preset allows', () => {
    const result = pickSize(quality, { aspect: 'auto', width: 1536, height: 1536 }, { width: 10, height: 10 });
    expect(result.ok ? undefined : result.error.code).toBe('size_too_large');
  });
});
