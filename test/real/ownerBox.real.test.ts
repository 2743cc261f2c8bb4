import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGenerate } from '../../src/cli/generate.ts';
import { probeVideo } from '../../src/media/index.ts';
import { OWNER_MODEL_PATHS } from '../../src/simulator/index.ts';
import { type Rig, startRig } from './rig.ts';

/**
 * The owner's box against a REAL ComfyUI (both versions): exactly their files, only the Q5_K_S
 * pair, only a misspelt file. Not part of `npm test`; run with `npm run test:real`.
 */

const root = join(import.meta.dirname, '../..');
const Q5_PAIR = [
  'diffusion_models/wan2.2_i2v_high_noise_14B_Q5_K_S.gguf',
  'diffusion_models/wan2.2_i2v_low_noise_14B_Q5_K_S.gguf',
  'clip/umt5-xxl-enc-bf16-uncensored-CONVERTED.safetensors',
  'vae/wan_2.2_vae.safetensors',
];
const MISSPELT = ['diffusion_models/wan2.2_i2v_hihg_noise_14B_Q6_K.gguf', ...OWNER_MODEL_PATHS.slice(1)];

let dir: string;
let image: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'owner-real-'));
  image = join(dir, 'square.png');
  await sharp({ create: { width: 900, height: 900, channels: 3, background: '#c84' } }).png().toFile(image);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function generate(url: string, argv: string[]) {
  let err = '';
  const stderr = new PassThrough();
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const env = { DATA_DIR: join(dir, 'data'), PRESET_DIR: join(root, 'presets'), WORKFLOW_DIR: join(root, 'workflows'), COMFYUI_URL: url };
  const code = await runGenerate(['--image', image, '--prompt', 'a slow turn', '--frames', '17', ...argv], { stdout: new PassThrough(), stderr, env, settings: { pollIntervalMs: 200 } });
  return { code, stderr: err };
}

describe.each(['0.3.65', '0.8.0'] as const)("the owner's box on a real ComfyUI %s", (version) => {
  // One server per version; each case sets its models/ (ComfyUI re-reads folder listings).
  let server: Rig | undefined;
  afterAll(async () => {
    await server?.stop();
  });
  const rig = async (models: readonly string[]) => {
    if (!server) server = await startRig({ version, models, stepSeconds: 0.02 });
    else await server.setModels(models);
    return server;
  };

  it("GIVEN exactly the owner's files THEN the default preset and each preset write a 480×480 video and name the Q6_K files", async () => {
    const { url } = await rig(OWNER_MODEL_PATHS);
    for (const argv of [[], ['--preset', 'fast'], ['--preset', 'quality'], ['--preset', 'maximum']]) {
      const out = join(dir, `owner-${version}-${argv[1] ?? 'default'}.mp4`);
      const { code, stderr } = await generate(url, [...argv, '--out', out]);
      expect(stderr).toContain('high-noise model: wan2.2_i2v_high_noise_14B_Q6_K.gguf');
      expect(stderr).toContain('text encoder: umt5-xxl-enc-bf16-uncensored-CONVERTED.safetensors');
      expect(code).toBe(0);
      expect(await probeVideo(out)).toMatchObject({ width: 480, height: 480, frames: 17 });
    }
  }, 420_000);

  it('GIVEN only the Q5_K_S pair THEN every preset runs on it', async () => {
    const { url } = await rig(Q5_PAIR);
    for (const preset of ['fast', 'quality', 'maximum']) {
      const { code, stderr } = await generate(url, ['--preset', preset, '--out', join(dir, `q5-${version}-${preset}.mp4`)]);
      expect(stderr).toContain('(Q5_K_S), using:');
      expect(code).toBe(0);
    }
  }, 300_000);

  it('GIVEN only a misspelt file THEN exits non-zero naming it as the closest match', async () => {
    const { url } = await rig(MISSPELT);
    const { code, stderr } = await generate(url, []);
    expect(code).toBe(1);
    expect(stderr).toContain('did you mean `wan2.2_i2v_hihg_noise_14B_Q6_K.gguf`?');
  });
});
