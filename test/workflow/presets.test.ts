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
  it('GIVEN the seed table THEN Fast 4/25 Q4_K_M, Quality 8/41 Q5_K_S, Maximum 12/81 Q6_K, offered in that order', async () => {
    const presets = listPresets(await loadPresets(PRESET_DIR));
    expect(presets.map((p) => [p.name, p.defaults.steps, p.defaults.frames, p.models.quantisation, p.models.highNoise])).toEqual([
      ['fast', 4, 25, 'Q4_K_M', 'Wan2.2-I2V-A14B-HighNoise-Q4_K_M.gguf'],
      ['quality', 8, 41, 'Q5_K_S', 'Wan2.2-I2V-A14B-HighNoise-Q5_K_S.gguf'],
      ['maximum', 12, 81, 'Q6_K', 'Wan2.2-I2V-A14B-HighNoise-Q6_K.gguf'],
    ]);
    for (const preset of presets) {
      expect(preset.models.lowNoise).toBe(`Wan2.2-I2V-A14B-LowNoise-${preset.models.quantisation}.gguf`);
      expect(preset.ranges).toMatchObject({ resolution: { min: 256, max: 720 }, frames: { min: 17, max: 81 }, steps: { min: 4, max: 20 } });
      expect(preset.vram).toEqual({ minGb: 12, recommendedGb: 16, offloadMinGb: 8 });
    }
  });
});

describe('loadPresets lists every problem in every file at once', () => {
  it('GIVEN two broken files THEN one message names both files and each problem', async () => {
    const fast = await repoPreset('fast');
    const dir = await presetDir({
      'fast.json': { ...fast, defaults: { ...fast.defaults, frames: 42 } },
      'slow.json': { ...fast, ranges: { ...fast.ranges, steps: { min: 10, max: 5 } }, models: { ...fast.models, highNoise: 'model.safetensors' } },
      'broken.json': '{ not json',
    });
    const error = await loadPresets(dir).then(() => undefined, (e: Error) => e.message);
    expect(error).toContain(`${join(dir, 'fast.json')}: defaults.frames: frame counts are 4k+1`);
    expect(error).toContain(`${join(dir, 'slow.json')}: ranges.steps: min must not exceed max`);
    expect(error).toContain(`${join(dir, 'slow.json')}: models.highNoise: must be a .gguf file name`);
    expect(error).toContain(`${join(dir, 'broken.json')}: not valid JSON`);
  });
  it('GIVEN a default outside its own range THEN refused', async () => {
    const fast = await repoPreset('fast');
    const dir = await presetDir({ 'fast.json': { ...fast, defaults: { ...fast.defaults, steps: 30 } } });
    await expect(loadPresets(dir)).rejects.toThrow('defaults.steps: default 30 is outside the range 4–20');
  });
  it('GIVEN an empty folder THEN says there are no presets', async () => {
    await expect(loadPresets(await presetDir({}))).rejects.toThrow('no preset files');
  });
});
