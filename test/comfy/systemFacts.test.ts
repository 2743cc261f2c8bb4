import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closestNames, findListed, quantisationOf } from '../../src/comfy/modelNames.ts';
import { systemStatsSchema } from '../../src/comfy/schemas.ts';
import { gpusOf, previewSettingOf } from '../../src/comfy/systemFacts.ts';

/** The /system_stats answer in a recorded transcript (both versions were started without --preview-method). */
function recordedStats(version: string) {
  const lines = readFileSync(new URL(`../fixtures/comfyui-transcripts/${version}/01-discovery.jsonl`, import.meta.url), 'utf8').split('\n').filter(Boolean);
  const exchange = lines.map((line) => JSON.parse(line) as { url?: string; resp_body?: string }).find((event) => event.url === '/system_stats');
  return systemStatsSchema.parse(JSON.parse(exchange?.resp_body ?? '{}'));
}

describe('preview frames need --preview-method; /system_stats shows the command line', () => {
  it.each(['v0.3.65', 'v0.8.0'])('GIVEN the recorded %s started without the flag THEN previews are off (ComfyUI defaults to none)', (version) => {
    expect(previewSettingOf(recordedStats(version))).toEqual({ method: 'none', enabled: false, known: true });
  });
  it('GIVEN the rig started with --preview-method auto (recorded) THEN previews are on', () => {
    const stats = systemStatsSchema.parse(JSON.parse(readFileSync(new URL('../fixtures/comfyui-rig/system_stats.v0.8.0.preview-auto.json', import.meta.url), 'utf8')));
    expect(previewSettingOf(stats)).toEqual({ method: 'auto', enabled: true, known: true });
  });
  it.each([
    [['main.py', '--preview-method=taesd'], 'taesd', true],
    [['main.py', '--preview-method', 'none'], 'none', false],
    [['main.py', '--preview-method', 'latent2rgb', '--listen'], 'latent2rgb', true],
  ])('GIVEN argv %j THEN the method is %s', (argv, method, enabled) => {
    expect(previewSettingOf({ system: { argv } })).toEqual({ method, enabled, known: true });
  });
  it('GIVEN a server that does not report argv THEN unknown, not "on"', () => {
    expect(previewSettingOf({ system: {} })).toEqual({ method: 'unknown', enabled: false, known: false });
  });
  it('GIVEN a CPU-only box (recorded) THEN no GPU is reported', () => {
    expect(gpusOf(recordedStats('v0.8.0'))).toEqual([]);
  });
});

describe('model names as ComfyUI lists them', () => {
  it('GIVEN the exact name THEN it is the file; GIVEN it only in a subfolder THEN the listed path', () => {
    expect(findListed('a.gguf', ['a.gguf'])).toBe('a.gguf');
    expect(findListed('a.gguf', ['wan 2.2/a.gguf'])).toBe('wan 2.2/a.gguf');
    expect(findListed('a.gguf', ['x/a.gguf', 'y/a.gguf'])).toBeUndefined();
    expect(findListed('A.gguf', ['a.gguf'])).toBeUndefined();
  });
  it.each([
    // a case-only difference is named, not the other expert's file
    [['wan2.2_i2v_high_noise_14B_Q6_K.gguf'], ['Wan2.2_I2V_high_noise_14B_q6_k.gguf', 'wan2.2_i2v_low_noise_14B_Q6_K.gguf'], ['Wan2.2_I2V_high_noise_14B_q6_k.gguf']],
    // a typo
    [['wan2.2_i2v_high_noise_14B_Q6_K.gguf'], ['wan2.2_i2v_hihg_noise_14B_Q6_K.gguf', 'flux1-dev-Q8_0.gguf'], ['wan2.2_i2v_hihg_noise_14B_Q6_K.gguf']],
    // the text encoder in the other naming
    [['umt5-xxl-enc-bf16-uncensored-CONVERTED.safetensors'], ['umt5_xxl_enc_bf16_uncensored_converted.safetensors', 'clip_l.safetensors'], ['umt5_xxl_enc_bf16_uncensored_converted.safetensors']],
    // nothing alike
    [['wan_2.2_vae.safetensors'], ['flux_ae.safetensors', 'sdxl_vae.safetensors'], []],
  ])('GIVEN %j wanted and %j listed THEN suggests %j', (wanted, listed, expected) => {
    expect(closestNames(wanted, listed)).toEqual(expected);
  });
  it.each([
    ['wan2.2_i2v_high_noise_14B_Q6_K.gguf', 'Q6_K'],
    ['Wan2.2-I2V-A14B-LowNoise-Q5_K_S.gguf', 'Q5_K_S'],
    ['sub/Wan2.2-I2V-A14B-HighNoise-q4_k_m.gguf', 'Q4_K_M'],
    ['wan2.2_i2v_high_noise_14B_fp16.safetensors', undefined],
  ])('GIVEN %s THEN the quantisation is %s', (name, quantisation) => {
    expect(quantisationOf(name)).toBe(quantisation);
  });
});
