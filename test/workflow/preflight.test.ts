import type { ComfyClient } from '../../src/comfy/client.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalogue } from '../../src/workflow/checkGraph.ts';
import type { LoadedWorkflow } from '../../src/workflow/loadWorkflow.ts';
import { type ComfyInstance, preflight } from '../../src/workflow/preflight.ts';
import type { Presets } from '../../src/workflow/presetSchema.ts';
import { loadI2v, loadRepoPresets, loadUpscale, recordedCatalogue } from './support.ts';

let presets: Presets;
let i2v: LoadedWorkflow;
let upscale: LoadedWorkflow;
beforeAll(async () => {
  [presets, i2v, upscale] = await Promise.all([loadRepoPresets(), loadI2v(), loadUpscale()]);
});

const argvWithPreviews = ['main.py', '--listen', '0.0.0.0', '--preview-method', 'auto'];

/** An instance the way /object_info/{class} and /models/{folder} answer: `{}` for an unknown class, 404 for an unknown folder. */
function fakeInstance(catalogue: Catalogue, folders: Record<string, string[]>, argv = argvWithPreviews) {
  const asked: string[] = [];
  const instance: ComfyInstance = {
    async objectInfo(nodeClass) {
      asked.push(`object_info/${nodeClass}`);
      const info = nodeClass ? catalogue[nodeClass] : undefined;
      return info && nodeClass ? { [nodeClass]: info } : {};
    },
    async models(folder) {
      asked.push(`models/${folder}`);
      const files = folders[folder];
      if (!files) throw Object.assign(new Error(`GET /models/${folder} → 404`), { status: 404 });
      return files;
    },
    async systemStats() {
      const gb = 1024 ** 3;
      return { system: { comfyui_version: '0.8.0', argv }, devices: [{ name: 'cuda:0 NVIDIA GeForce RTX 5060 Ti : cudaMallocAsync', type: 'cuda', vram_total: 15.9 * gb, vram_free: 15 * gb }] };
    },
  };
  return { instance, asked };
}

/** The owner's installation, as /models lists it (models/clip shows up under text_encoders). */
const ownerFolders = () => ({
  unet_gguf: ['wan2.2_i2v_high_noise_14B_Q6_K.gguf', 'wan2.2_i2v_low_noise_14B_Q6_K.gguf'],
  text_encoders: ['umt5-xxl-enc-bf16-uncensored-CONVERTED.safetensors'],
  vae: ['wan_2.2_vae.safetensors'],
  loras: ['wan 2.2/lightx2v_high_noise.safetensors', 'wan 2.2/lightx2v_low_noise.safetensors'],
  upscale_models: ['4x-UltraSharp.pth'],
});
const fullFolders = ownerFolders;
const OWNER_FILES = {
  highModel: 'wan2.2_i2v_high_noise_14B_Q6_K.gguf',
  lowModel: 'wan2.2_i2v_low_noise_14B_Q6_K.gguf',
  textEncoder: 'umt5-xxl-enc-bf16-uncensored-CONVERTED.safetensors',
  vae: 'wan_2.2_vae.safetensors',
};
const run = (catalogue: Catalogue, folders: Record<string, string[]>) => preflight(fakeInstance(catalogue, folders).instance, presets, { i2v: { [i2v.name]: i2v }, upscale });

describe('preflight tells which presets an instance can run', () => {
  it("GIVEN the owner's files THEN every preset runs on the same Q6_K set, with devices, LoRAs, GPUs and previews", async () => {
    const { instance, asked } = fakeInstance(recordedCatalogue(), ownerFolders());
    const report = await preflight(instance, presets, { i2v: { [i2v.name]: i2v }, upscale });
    expect(report.ok).toBe(true);
    for (const name of ['fast', 'quality', 'maximum']) {
      expect(report.presets[name]).toMatchObject({ runnable: true, missing: [], models: OWNER_FILES, vram: { verdict: 'fits', largestGb: 15.9 } });
    }
    expect(report).toMatchObject({
      missingNodes: [],
      devices: ['cpu', 'cuda:0', 'cuda:1'],
      loras: ['wan 2.2/lightx2v_high_noise.safetensors', 'wan 2.2/lightx2v_low_noise.safetensors'],
      upscaleRunnable: true,
      system: { version: '0.8.0', previews: { method: 'auto', enabled: true, known: true } },
    });
    // Per-class reads only: the full /object_info is slow (it rescans every model folder).
    expect(asked).not.toContain('object_info/undefined');
  });

  it('GIVEN only the Q5_K_S pair in the other naming scheme THEN that pair resolves for every preset', async () => {
    const folders = { ...ownerFolders(), unet_gguf: ['Wan2.2-I2V-A14B-HighNoise-Q5_K_S.gguf', 'Wan2.2-I2V-A14B-LowNoise-Q5_K_S.gguf'] };
    const report = await run(recordedCatalogue(), folders);
    expect(report.presets.fast?.models).toEqual({ ...OWNER_FILES, highModel: 'Wan2.2-I2V-A14B-HighNoise-Q5_K_S.gguf', lowModel: 'Wan2.2-I2V-A14B-LowNoise-Q5_K_S.gguf' });
    expect(report.ok).toBe(true);
  });

  it.each([
    [['wan2.2_i2v_high_noise_14B_Q5_K_S.gguf', 'Wan2.2-I2V-A14B-HighNoise-Q6_K.gguf', 'Wan2.2-I2V-A14B-HighNoise-Q4_K_M.gguf'], 'Wan2.2-I2V-A14B-HighNoise-Q6_K.gguf'],
    [['Wan2.2-I2V-A14B-HighNoise-Q4_K_M.gguf', 'wan2.2_i2v_high_noise_14B_Q5_K_S.gguf'], 'wan2.2_i2v_high_noise_14B_Q5_K_S.gguf'],
    [['wan2.2_i2v_high_noise_14B_Q4_K_M.gguf', 'wan2.2_i2v_high_noise_14B_Q6_K.gguf'], 'wan2.2_i2v_high_noise_14B_Q6_K.gguf'],
    [['wan/wan2.2_i2v_high_noise_14B_Q6_K.gguf'], 'wan/wan2.2_i2v_high_noise_14B_Q6_K.gguf'],
  ])('GIVEN %j installed THEN the high-noise expert is %s (the list order wins, not the folder order)', async (installed, expected) => {
    const folders = { ...ownerFolders(), unet_gguf: [...installed, 'wan2.2_i2v_low_noise_14B_Q6_K.gguf'] };
    const report = await run(recordedCatalogue(), folders);
    expect(report.presets.quality?.models?.highModel).toBe(expected);
  });

  it('GIVEN only a misspelt file THEN not runnable, and the closest installed name is offered', async () => {
    const folders = { ...ownerFolders(), unet_gguf: ['Wan2.2_I2V_high_noise_14B_q6_k.gguf', 'wan2.2_i2v_low_noise_14B_Q6_K.gguf', 'flux1-dev-Q8_0.gguf'] };
    const report = await run(recordedCatalogue(), folders);
    expect(report.presets.fast).toMatchObject({ runnable: false, models: undefined });
    expect(report.presets.fast?.missing).toEqual([
      'high-noise model: `wan2.2_i2v_high_noise_14B_Q6_K.gguf` or 5 other acceptable names is not in models/diffusion_models or models/unet (.gguf); did you mean `Wan2.2_I2V_high_noise_14B_q6_k.gguf`?',
    ]);
  });

  it('GIVEN no text encoder at all THEN the message says the folder is empty rather than just "missing"', async () => {
    const report = await run(recordedCatalogue(), { ...ownerFolders(), text_encoders: [] });
    expect(report.presets.maximum?.missing).toEqual([
      'text encoder: `umt5-xxl-enc-bf16-uncensored-CONVERTED.safetensors` or 2 other acceptable names is not in models/text_encoders or models/clip; no files there',
    ]);
  });

  it('GIVEN the ComfyUI was started without --preview-method THEN previews are off (its default is none)', async () => {
    const { instance } = fakeInstance(recordedCatalogue(), ownerFolders(), ['main.py', '--listen']);
    const report = await preflight(instance, presets, { i2v: { [i2v.name]: i2v }, upscale });
    expect(report.system.previews).toEqual({ method: 'none', enabled: false, known: true });
  });

  it('GIVEN KJNodes is not installed THEN the missing pack is named and no preset is runnable', async () => {
    const { PathchSageAttentionKJ: _, ...catalogue } = recordedCatalogue();
    const report = await preflight(fakeInstance(catalogue, fullFolders()).instance, presets, { i2v: { [i2v.name]: i2v }, upscale });
    expect(report.missingNodes).toEqual([{ classType: 'PathchSageAttentionKJ', pack: 'ComfyUI-KJNodes' }]);
    expect(report.presets.fast).toMatchObject({ runnable: false, missing: ['node PathchSageAttentionKJ (ComfyUI-KJNodes)'] });
    expect(report.upscaleRunnable).toBe(true);
  });

  it('GIVEN MultiGPU without ComfyUI-GGUF THEN the GGUF pack is named and unet_gguf (a 404) lists nothing', async () => {
    const { UnetLoaderGGUFAdvancedDisTorch2MultiGPU: _, ...catalogue } = recordedCatalogue();
    const { unet_gguf: __, ...folders } = fullFolders();
    const report = await preflight(fakeInstance(catalogue, folders).instance, presets, { i2v: { [i2v.name]: i2v }, upscale });
    expect(report.missingNodes).toEqual([{ classType: 'UnetLoaderGGUFAdvancedDisTorch2MultiGPU', pack: 'ComfyUI-GGUF' }]);
    expect(report.presets.quality?.missing).toEqual([
      'node UnetLoaderGGUFAdvancedDisTorch2MultiGPU (ComfyUI-GGUF)',
      'high-noise model: `wan2.2_i2v_high_noise_14B_Q6_K.gguf` or 5 other acceptable names is not in models/diffusion_models or models/unet (.gguf); no files there',
      'low-noise model: `wan2.2_i2v_low_noise_14B_Q6_K.gguf` or 5 other acceptable names is not in models/diffusion_models or models/unet (.gguf); no files there',
    ]);
    // The VAE loader still reports the devices.
    expect(report.devices).toEqual(['cpu', 'cuda:0', 'cuda:1']);
  });

  it('GIVEN no VideoHelperSuite and no upscale model THEN neither i2v nor upscale can run', async () => {
    const catalogue = Object.fromEntries(Object.entries(recordedCatalogue()).filter(([name]) => !name.startsWith('VHS_')));
    const folders = { ...fullFolders(), upscale_models: [] };
    const report = await preflight(fakeInstance(catalogue, folders).instance, presets, { i2v: { [i2v.name]: i2v }, upscale });
    expect(report.missingNodes.map((node) => node.pack)).toEqual(['ComfyUI-VideoHelperSuite', 'ComfyUI-VideoHelperSuite', 'ComfyUI-VideoHelperSuite']);
    expect(report.upscaleRunnable).toBe(false);
    expect(report.upscaleMissing).toContain('upscale model: `4x-UltraSharp.pth` is not in models/upscale_models; no files there');
  });

  it('GIVEN a V3 combo for the devices THEN it is read too', async () => {
    const catalogue = recordedCatalogue();
    catalogue.UnetLoaderGGUFAdvancedDisTorch2MultiGPU!.input.optional!.compute_device = ['COMBO', { options: ['cpu', 'cuda:0'] }];
    const report = await preflight(fakeInstance(catalogue, fullFolders()).instance, presets, { i2v: { [i2v.name]: i2v } });
    expect(report.devices).toEqual(['cpu', 'cuda:0']);
    expect(report.upscaleRunnable).toBe(false);
  });

  it('GIVEN the instance is down THEN preflight fails rather than reporting an empty instance', async () => {
    const instance: ComfyInstance = {
      objectInfo: async () => ({}),
      models: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      },
      systemStats: async () => ({ system: {}, devices: [] }),
    };
    await expect(preflight(instance, presets, { i2v: { [i2v.name]: i2v }, upscale })).rejects.toThrow('ECONNREFUSED');
  });
});

// The real client is what the worker passes; this fails to compile if the two drift apart.
export const clientFitsPreflight = (client: ComfyClient): ComfyInstance => client;
