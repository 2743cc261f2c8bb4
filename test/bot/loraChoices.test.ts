import { describe, expect, it } from 'vitest';
import { loraChoices } from '../../src/bot/loraChoices.ts';

const loras = [
  'wan/high_noise/motion_boost.safetensors',
  'wan/low_noise/motion_boost.safetensors',
  'lightx2v_I2V_14B_480p_cfg_step_distill_rank64_bf16_high_noise.safetensors',
  'lightx2v_I2V_14B_480p_cfg_step_distill_rank64_bf16_low_noise.safetensors',
  'style/anime.safetensors',
];

describe('LoRA autocomplete', () => {
  it('puts the focused option’s own group first, labelled', () => {
    const choices = loraChoices(loras, 'lora_low', '');
    expect(choices.map((c) => c.name.split(' · ')[0])).toEqual(['Low-noise', 'Low-noise', 'General', 'High-noise', 'High-noise']);
    expect(choices[0]?.value).toBe('lightx2v_I2V_14B_480p_cfg_step_distill_rank64_bf16_low_noise.safetensors');
  });

  it('filters by what the member typed', () => {
    expect(loraChoices(loras, 'lora_high', 'MOTION').map((c) => c.value)).toEqual([
      'wan/high_noise/motion_boost.safetensors',
      'wan/low_noise/motion_boost.safetensors',
    ]);
  });

  it('offers at most 25 choices', () => {
    const many = Array.from({ length: 60 }, (_, i) => `style/s${i}.safetensors`);
    expect(loraChoices(many, 'lora_high', '')).toHaveLength(25);
  });
});
