import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listPresets, loadPresets } from '../../src/workflow/loadPresets.ts';
import { presetSchema } from '../../src/workflow/presetSchema.ts';
import { PRESET_DIR } from './support.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
async function presetDir(files: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oelala-presets-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}
const repoPreset = async (name: string) => JSON.parse(await readFile(join(PRESET_DIR, `${name}.json`), 'utf8')) as Record<string, any>;

describe('the shipped presets', () => {
  it.each(['fast', 'quality', 'maximum'])('GIVEN presets/%s.json THEN it is valid', async (name) => {
    const parsed = presetSchema.safeParse(await repoPreset(name));
    expect(parsed.success ? 'valid' : parsed.error.issues).toBe('valid');
  });
  it('GIVEN the seed table THEN Fast 4/25, Quality 8/41, Maximum 12/81, offered in that order, all on one model set', async () => {
    const presets = listPresets(await loadPresets(PRESET_DIR));
    expect(presets.map((p) => [p.name, p.defaults.steps, p.defaults.frames])).toEqual([
      ['fast', 4, 25],
      ['quality', 8, 41],
      ['maximum', 12, 81],
    ]);
    for (const preset of presets) {
      // Alternating presets must not reload two 10-12 GB experts: every preset shares presets/models.json.
      expect(preset.models).toEqual(presets[0]!.models);
      expect(preset.ranges).toMatchObject({ resolution: { min: 256, max: 720 }, edge: { max: 720 }, frames: { min: 17, max: 81 }, steps: { min: 4, max: 20 } });
      expect(preset.vram).toEqual({ minGb: 12, recommendedGb: 16, offloadMinGb: 8 });
    }
    const { models } = presets[0]!;
    // The owner's files first, then the other naming scheme; Q6_K, then Q5_K_S, then Q4_K_M.
    expect(models.highModel.slice(0, 4)).toEqual([
      'wan2.2_i2v_high_noise_14B_Q6_K.gguf', 'Wan2.2-I2V-A14B-HighNoise-Q6_K.gguf',
      'wan2.2_i2v_high_noise_14B_Q5_K_S.gguf', 'Wan2.2-I2V-A14B-HighNoise-Q5_K_S.gguf',
    ]);
    expect(models.textEncoder[0]).toBe('umt5-xxl-enc-bf16-uncensored-CONVERTED.safetensors');
    expect(models.vae[0]).toBe('wan_2.2_vae.safetensors');
  });
});

describe('loadPresets lists every problem in every file at once', () => {
  it('GIVEN two broken files THEN one message names both files and each problem', async () => {
    const fast = await repoPreset('fast');
    const dir = await presetDir({
      'models.json': await repoPreset('models'),
      'fast.json': { ...fast, defaults: { ...fast.defaults, frames: 42 } },
      'slow.json': { ...fast, ranges: { ...fast.ranges, steps: { min: 10, max: 5 } }, models: { highModel: 'model.safetensors' } },
      'broken.json': '{ not json',
    });
    const error = await loadPresets(dir).then(() => undefined, (e: Error) => e.message);
    expect(error).toContain(`${join(dir, 'fast.json')}: defaults.frames: frame counts are 4k+1`);
    expect(error).toContain(`${join(dir, 'slow.json')}: ranges.steps: min must not exceed max`);
    expect(error).toContain(`${join(dir, 'slow.json')}: models.highModel.0: must be a .gguf file name`);
    expect(error).toContain(`${join(dir, 'broken.json')}: not valid JSON`);
  });
  it('GIVEN a malformed model, an empty list and a resolution outside 256–720 THEN one message lists all three with what is allowed', async () => {
    const fast = await repoPreset('fast');
    const dir = await presetDir({
      'models.json': { ...(await repoPreset('models')), vae: [] },
      'fast.json': { ...fast, defaults: { ...fast.defaults, resolution: 848 }, models: { lowModel: 42 } },
    });
    const error = await loadPresets(dir).then(() => undefined, (e: Error) => e.message);
    expect(error).toContain(`${join(dir, 'models.json')}: vae: the list of acceptable files is empty: name at least one`);
    expect(error).toContain(`${join(dir, 'fast.json')}: defaults.resolution: must be between 256 and 720`);
    expect(error).toContain(`${join(dir, 'fast.json')}: models.lowModel: must be a file name or a list of file names`);
  });
  it('GIVEN a preset naming its own experts THEN it keeps the shared text encoder and VAE', async () => {
    const fast = await repoPreset('fast');
    const dir = await presetDir({ 'models.json': await repoPreset('models'), 'fast.json': { ...fast, models: { highModel: 'a_Q4_K_M.gguf', lowModel: ['b_Q4_K_M.gguf', 'c.gguf'] } } });
    const presets = await loadPresets(dir);
    expect(presets.fast?.models).toMatchObject({ highModel: ['a_Q4_K_M.gguf'], lowModel: ['b_Q4_K_M.gguf', 'c.gguf'] });
    expect(presets.fast?.models.vae[0]).toBe('wan_2.2_vae.safetensors');
  });
  it('GIVEN a default outside its own range THEN refused', async () => {
    const fast = await repoPreset('fast');
    const dir = await presetDir({ 'models.json': await repoPreset('models'), 'fast.json': { ...fast, defaults: { ...fast.defaults, steps: 30 } } });
    await expect(loadPresets(dir)).rejects.toThrow('defaults.steps: default 30 is outside the range 4–20');
  });
  it('GIVEN an empty folder THEN says there are no presets', async () => {
    await expect(loadPresets(await presetDir({}))).rejects.toThrow('no preset files');
  });
});
