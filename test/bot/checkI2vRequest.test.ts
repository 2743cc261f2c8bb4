import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkI2vRequest, type AttachmentFacts } from '../../src/bot/checkI2vRequest.ts';
import { loadPresets } from '../../src/workflow/loadPresets.ts';
import type { Presets } from '../../src/workflow/presetSchema.ts';

let presets: Presets;
beforeAll(async () => {
  presets = await loadPresets(resolve('presets'));
});

const png: AttachmentFacts = { contentType: 'image/png', size: 200_000, width: 1024, height: 768, filename: 'cat.png' };
const limits = { maxInputBytes: 25 * 1024 * 1024, maxInputPixels: 50_000_000, loraKnown: (name: string) => name === 'style/anime.safetensors' };
const refusal = (attachment: AttachmentFacts, options: Parameters<typeof checkI2vRequest>[1]) => {
  const result = checkI2vRequest(attachment, options, presets, limits);
  if (result.ok) throw new Error('expected a refusal');
  return result.error;
};

describe('what /i2v checks before answering Discord', () => {
  it('accepts an image with no options, on the first preset', () => {
    const result = checkI2vRequest(png, {}, presets, limits);
    expect(result.ok && result.value.preset.name).toBe('fast');
  });

  it('GIVEN a text file THEN says it is not an image', () => {
    expect(refusal({ ...png, contentType: 'text/plain', filename: 'notes.txt' }, {}).message).toContain('`notes.txt` is not an image');
  });

  it('GIVEN a 30 MB image THEN names the size and the limit', () => {
    expect(refusal({ ...png, size: 30 * 1024 * 1024 }, {}).message).toMatch(/30 MB.*limit is 25 MB/);
  });

  it('GIVEN 201 frames on fast THEN names the allowed range', () => {
    expect(refusal(png, { preset: 'fast', frames: 201 }).message).toMatch(/between 17 and 81 frames/);
  });

  it('GIVEN resolution 800 THEN names the 256–720 range', () => {
    expect(refusal(png, { resolution: 800 })).toMatchObject({ code: 'resolution_out_of_range', message: expect.stringMatching(/between 256 and 720/) });
  });

  it('GIVEN 60 fps THEN names the preset’s frame-rate range', () => {
    expect(refusal(png, { fps: 60 })).toMatchObject({ code: 'fps_out_of_range', message: expect.stringMatching(/between 8 and 30/) });
  });

  it('GIVEN resolution 720 and 24 fps THEN both travel with the job', () => {
    const result = checkI2vRequest(png, { resolution: 720, fps: 24 }, presets, limits);
    expect(result.ok && result.value.options).toMatchObject({ resolution: 720, fps: 24 });
  });

  it('GIVEN 42 frames THEN suggests the nearest valid counts', () => {
    expect(refusal(png, { frames: 42 }).code).toBe('frames_not_4k_plus_1');
  });

  it('GIVEN a LoRA ComfyUI does not have THEN says so', () => {
    expect(refusal(png, { lora_high: 'nope.safetensors' }).code).toBe('unknown_lora');
  });

  it('GIVEN a LoRA list never read THEN leaves the check to the worker', () => {
    expect(checkI2vRequest(png, { lora_high: 'any.safetensors' }, presets, { ...limits, loraKnown: () => undefined }).ok).toBe(true);
  });

  it('GIVEN a known LoRA THEN uses the preset’s default strength', () => {
    const result = checkI2vRequest(png, { lora_low: 'style/anime.safetensors' }, presets, limits);
    expect(result.ok && result.value.options.loraLow).toEqual({ name: 'style/anime.safetensors', strength: presets.fast!.defaults.loraStrength });
  });

  // Every bound of the stored job's schema is checked here, with its own words (issue 16).
  it('GIVEN seed -5 THEN names the allowed seeds', () => {
    const error = refusal(png, { seed: -5 });
    expect(error.code).toBe('seed_out_of_range');
    expect(error.message).toMatch(/Seed -5 is not allowed: choose a whole number between 0 and 9007199254740991/);
  });

  it('GIVEN a seed beyond the safe integers THEN refuses it too', () => {
    expect(refusal(png, { seed: 2 ** 60 }).code).toBe('seed_out_of_range');
  });

  it('GIVEN a 3000-character prompt THEN names its length and the limit', () => {
    expect(refusal(png, { prompt: 'x'.repeat(3000) }).message).toBe('Your prompt is 3000 characters long; the limit is 2000. Shorten it and send the command again.');
  });

  it('GIVEN a 2001-character negative prompt THEN says which prompt is too long', () => {
    expect(refusal(png, { negative: 'x'.repeat(2001) }).code).toBe('negative_too_long');
  });

  it('GIVEN exactly 2000 characters and seed 0 THEN accepts them', () => {
    expect(checkI2vRequest(png, { prompt: 'x'.repeat(2000), seed: 0 }, presets, limits).ok).toBe(true);
  });
});
