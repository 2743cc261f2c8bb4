import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { runGenerate } from '../../src/cli/generate.ts';
import { probeVideo } from '../../src/media/index.ts';
import { modelsFromPaths, OWNER_MODEL_PATHS, startComfySimulator } from '../../src/simulator/index.ts';
import { makeDataDir } from '../worker/helpers.ts';

/**
 * First contact with the owner's box: a ComfyUI whose models/ holds exactly the files their
 * documents list (or only the Q5_K_S pair, or only a misspelt file). `generate` must run every
 * preset on what is there and say which files it used, or name the closest file and exit non-zero.
 */

const root = join(import.meta.dirname, '../..');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const Q5_PAIR = [
  'diffusion_models/wan2.2_i2v_high_noise_14B_Q5_K_S.gguf',
  'diffusion_models/wan2.2_i2v_low_noise_14B_Q5_K_S.gguf',
  'clip/umt5-xxl-enc-bf16-uncensored-CONVERTED.safetensors',
  'vae/wan_2.2_vae.safetensors',
];
const MISSPELT = [
  'diffusion_models/wan2.2_i2v_hihg_noise_14B_Q6_K.gguf',
  'diffusion_models/wan2.2_i2v_low_noise_14B_Q6_K.gguf',
  'clip/umt5-xxl-enc-bf16-uncensored-CONVERTED.safetensors',
  'vae/wan_2.2_vae.safetensors',
];

async function box(paths: readonly string[]) {
  const sim = await startComfySimulator({ models: modelsFromPaths(paths), knobs: { secondsPerStep: 0.02, secondsPerFrame: 0 } });
  cleanups.push(() => sim.close());
  const data = await makeDataDir();
  cleanups.push(() => data.remove());
  const image = join(data.dir, 'square.png');
  await sharp({ create: { width: 900, height: 900, channels: 3, background: '#c84' } }).png().toFile(image);
  const env = { DATA_DIR: join(data.dir, 'data'), PRESET_DIR: join(root, 'presets'), WORKFLOW_DIR: join(root, 'workflows'), FFMPEG_PATH: '/usr/bin/ffmpeg', COMFYUI_URL: sim.url };
  const generate = async (argv: string[]) => {
    let err = '';
    const stderr = new PassThrough();
    stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await runGenerate(['--image', image, '--prompt', 'a slow turn', ...argv], { stdout: new PassThrough(), stderr, env, settings: { pollIntervalMs: 100, progressIntervalMs: 10 } });
    return { code, stderr: err };
  };
  return { dir: data.dir, generate };
}

describe("generate on the owner's box (simulator)", () => {
  it.each([
    ['the default preset', []],
    ['fast', ['--preset', 'fast']],
    ['quality', ['--preset', 'quality']],
    ['maximum', ['--preset', 'maximum', '--frames', '17']],
  ])("GIVEN exactly the owner's files THEN %s writes a 480×480 video from a square image with the Q6_K files", async (_name, argv) => {
    const { dir, generate } = await box(OWNER_MODEL_PATHS);
    const out = join(dir, 'out.mp4');
    const { code, stderr } = await generate([...argv, '--out', out]);
    expect(stderr).toContain('high-noise model: wan2.2_i2v_high_noise_14B_Q6_K.gguf');
    expect(stderr).toContain('text encoder: umt5-xxl-enc-bf16-uncensored-CONVERTED.safetensors');
    expect(stderr).toContain('VAE: wan_2.2_vae.safetensors');
    expect(code).toBe(0);
    expect(await probeVideo(out, { ffprobePath: '/usr/bin/ffprobe' })).toMatchObject({ width: 480, height: 480 });
    expect(stderr).toMatch(/done: 480×480, .*, Q6_K\n/);
  });

  it('GIVEN only the Q5_K_S pair THEN every preset falls back to it and says so', async () => {
    const { dir, generate } = await box(Q5_PAIR);
    for (const preset of ['fast', 'quality', 'maximum']) {
      const out = join(dir, `${preset}.mp4`);
      const { code, stderr } = await generate(['--preset', preset, '--frames', '17', '--out', out]);
      expect(stderr).toContain(`${preset} on `);
      expect(stderr).toContain('(Q5_K_S), using:');
      expect(stderr).toContain('low-noise model: wan2.2_i2v_low_noise_14B_Q5_K_S.gguf');
      expect(code).toBe(0);
    }
  });

  it('GIVEN only a misspelt high-noise file THEN exits non-zero naming it as the closest match, and submits nothing', async () => {
    const { generate } = await box(MISSPELT);
    const { code, stderr } = await generate([]);
    expect(code).toBe(1);
    expect(stderr).toContain('cannot run the fast preset');
    expect(stderr).toContain('did you mean `wan2.2_i2v_hihg_noise_14B_Q6_K.gguf`?');
  });
});
