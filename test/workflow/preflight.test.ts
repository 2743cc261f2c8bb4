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

/** An instance the way /object_info/{class} and /models/{folder} answer: `{}` for an unknown class, 404 for an unknown folder. */
function fakeInstance(catalogue: Catalogue, folders: Record<string, string[]>) {
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
  };
  return { instance, asked };
}

const q = (quant: string) => [`Wan2.2-I2V-A14B-HighNoise-${quant}.gguf`, `Wan2.2-I2V-A14B-LowNoise-${quant}.gguf`];
const fullFolders = () => ({
  unet_gguf: [...q('Q4_K_M'), ...q('Q5_K_S'), ...q('Q6_K')],
  text_encoders: ['umt5_xxl_fp8_e4m3fn_scaled.safetensors'],
  vae: ['wan_2.1_vae.safetensors', 'wan2.2_vae.safetensors'],
  loras: ['lightx2v_high_noise.safetensors', 'lightx2v_low_noise.safetensors'],
  upscale_models: ['4x-UltraSharp.pth'],
});

describe('preflight tells which presets an instance can run', () => {
  it('GIVEN every pack and model file THEN all runnable, with devices, LoRAs and upscale models', async () => {
    const { instance, asked } = fakeInstance(recordedCatalogue(), fullFolders());
    const report = await preflight(instance, presets, { i2v: { [i2v.name]: i2v }, upscale });
    expect(report).toEqual({
      ok: true,
      missingNodes: [],
      presets: { fast: { runnable: true, missing: [] }, quality: { runnable: true, missing: [] }, maximum: { runnable: true, missing: [] } },
      devices: ['cpu', 'cuda:0', 'cuda:1'],
      loras: ['lightx2v_high_noise.safetensors', 'lightx2v_low_noise.safetensors'],
      upscaleModels: ['4x-UltraSharp.pth'],
      upscaleRunnable: true,
      upscaleMissing: [],
    });
    // Per-class reads only: the full /object_info is slow (it rescans every model folder).
    expect(asked).not.toContain('object_info/undefined');
  });

  it('GIVEN the Q6_K low-noise file is missing THEN only maximum is not runnable, and says which file', async () => {
    const folders = fullFolders();
    folders.unet_gguf = folders.unet_gguf.filter((name) => name !== 'Wan2.2-I2V-A14B-LowNoise-Q6_K.gguf');
    const report = await preflight(fakeInstance(recordedCatalogue(), folders).instance, presets, { i2v: { [i2v.name]: i2v }, upscale });
    expect(report.ok).toBe(false);
    expect(report.presets).toEqual({
      fast: { runnable: true, missing: [] },
      quality: { runnable: true, missing: [] },
      maximum: { runnable: false, missing: ['unet_gguf/Wan2.2-I2V-A14B-LowNoise-Q6_K.gguf'] },
    });
  });

  it('GIVEN KJNodes is not installed THEN the missing pack is named and no preset is runnable', async () => {
    const { PathchSageAttentionKJ: _, ...catalogue } = recordedCatalogue();
    const report = await preflight(fakeInstance(catalogue, fullFolders()).instance, presets, { i2v: { [i2v.name]: i2v }, upscale });
    expect(report.missingNodes).toEqual([{ classType: 'PathchSageAttentionKJ', pack: 'ComfyUI-KJNodes' }]);
    expect(report.presets.fast).toEqual({ runnable: false, missing: ['node PathchSageAttentionKJ (ComfyUI-KJNodes)'] });
    expect(report.upscaleRunnable).toBe(true);
  });

  it('GIVEN MultiGPU without ComfyUI-GGUF THEN the GGUF pack is named and unet_gguf (a 404) lists nothing', async () => {
    const { UnetLoaderGGUFDisTorch2MultiGPU: _, ...catalogue } = recordedCatalogue();
    const { unet_gguf: __, ...folders } = fullFolders();
    const report = await preflight(fakeInstance(catalogue, folders).instance, presets, { i2v: { [i2v.name]: i2v }, upscale });
    expect(report.missingNodes).toEqual([{ classType: 'UnetLoaderGGUFDisTorch2MultiGPU', pack: 'ComfyUI-GGUF' }]);
    expect(report.presets.quality?.missing).toEqual([
      'node UnetLoaderGGUFDisTorch2MultiGPU (ComfyUI-GGUF)',
      'unet_gguf/Wan2.2-I2V-A14B-HighNoise-Q5_K_S.gguf',
      'unet_gguf/Wan2.2-I2V-A14B-LowNoise-Q5_K_S.gguf',
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
    expect(report.upscaleMissing).toContain('upscale_models/4x-UltraSharp.pth');
  });

  it('GIVEN a V3 combo for the devices THEN it is read too', async () => {
    const catalogue = recordedCatalogue();
    catalogue.UnetLoaderGGUFDisTorch2MultiGPU!.input.optional!.compute_device = ['COMBO', { options: ['cpu', 'cuda:0'] }];
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
    };
    await expect(preflight(instance, presets, { i2v: { [i2v.name]: i2v }, upscale })).rejects.toThrow('ECONNREFUSED');
  });
});

// The real client is what the worker passes; this fails to compile if the two drift apart.
export const clientFitsPreflight = (client: ComfyClient): ComfyInstance => client;
