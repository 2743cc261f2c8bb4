import { describe, expect, it } from 'vitest';
import { expertOf, groupLoras } from '../../src/workflow/groupLoras.ts';

describe('LoRAs are grouped by expert for the autocomplete', () => {
  it.each([
    ['wan2.2_i2v_lightx2v_4steps_lora_v1_high_noise.safetensors', 'high'],
    ['wan2.2_i2v_lightx2v_4steps_lora_v1_low_noise.safetensors', 'low'],
    ['high_noise/style.safetensors', 'high'],
    ['low_noise/style.safetensors', 'low'],
    ['wan22/HIGH/style.safetensors', 'high'],
    ['dance_high.safetensors', 'high'],
    ['dance-LOW.safetensors', 'low'],
    ['orbit_HIGH_v2.safetensors', 'high'],
    ['style_highnoise.safetensors', 'high'],
    ['highlights.safetensors', 'general'],
    ['slowmo.safetensors', 'general'],
    ['pixel_art.safetensors', 'general'],
    ['high_to_low_blend.safetensors', 'general'],
  ] as const)('GIVEN %s THEN %s', (name, expert) => expect(expertOf(name)).toBe(expert));

  it('GIVEN a folder listing THEN three groups in listing order', () => {
    expect(groupLoras(['a_high.safetensors', 'b.safetensors', 'a_low.safetensors', 'high_noise/c.safetensors'])).toEqual({
      high: ['a_high.safetensors', 'high_noise/c.safetensors'],
      low: ['a_low.safetensors'],
      general: ['b.safetensors'],
    });
  });
});
