import { beforeAll, describe, expect, it } from 'vitest';
import { bindUpscale, bindWorkflow, type I2vBindParams, outputVideoRef } from '../../src/workflow/bindWorkflow.ts';
import { checkGraph } from '../../src/workflow/checkGraph.ts';
import { type ApiGraph, isLink } from '../../src/workflow/graph.ts';
import type { LoadedWorkflow } from '../../src/workflow/loadWorkflow.ts';
import type { Presets } from '../../src/workflow/presetSchema.ts';
import { resolveJobParams } from '../../src/workflow/resolveJobParams.ts';
import { loadI2v, loadRepoPresets, loadUpscale, recordedCatalogue } from './support.ts';

let i2v: LoadedWorkflow;
let upscale: LoadedWorkflow;
let presets: Presets;
beforeAll(async () => {
  [i2v, upscale, presets] = await Promise.all([loadI2v(), loadUpscale(), loadRepoPresets()]);
});

const LIGHTX2V_HIGH = 'wan2.2_i2v_lightx2v_4steps_lora_v1_high_noise.safetensors';
const LIGHTX2V_LOW = 'wan2.2_i2v_lightx2v_4steps_lora_v1_low_noise.safetensors';

/** The files the recorded catalogue's combos list (acceptable names of presets/models.json, the other naming scheme at Q4_K_M). */
const RECORDED_FILES = {
  highModel: 'Wan2.2-I2V-A14B-HighNoise-Q4_K_M.gguf',
  lowModel: 'Wan2.2-I2V-A14B-LowNoise-Q4_K_M.gguf',
  textEncoder: 'umt5_xxl_fp8_e4m3fn_scaled.safetensors',
  vae: 'wan_2.1_vae.safetensors',
};

function params(extra: Record<string, unknown> = {}, preset = 'fast'): I2vBindParams {
  const resolved = resolveJobParams(
    presets[preset]!,
    { prompt: 'a fox turns its head', preset, aspect: 'auto', seed: 123456789, ...extra },
    { width: 1600, height: 900 },
    { computeDevice: 'cuda:1', allocations: 'cuda:0,1gb;cpu,*' },
  );
  if (!resolved.ok) throw resolved.error;
  return { ...resolved.value, ...RECORDED_FILES, image: 'jobs/abc.png', outputPrefix: 'oelala/abc-a1' };
}
const byTitle = (graph: ApiGraph, title: string) => Object.values(graph).find((node) => node._meta?.title === title);
const linksInto = (graph: ApiGraph, id: string) =>
  Object.values(graph).flatMap((node) => Object.values(node.inputs).filter((value) => isLink(value) && value[0] === id));

describe('binding an i2v job', () => {
  it('GIVEN job params THEN every bound input carries them', () => {
    const { prompt } = bindWorkflow(i2v, params());
    expect(byTitle(prompt, 'Start image')?.inputs.image).toBe('jobs/abc.png');
    expect(byTitle(prompt, 'Positive prompt')?.inputs.text).toBe('a fox turns its head');
    expect(byTitle(prompt, 'I2V conditioning')?.inputs).toMatchObject({ width: 640, height: 352, length: 25 });
    expect(byTitle(prompt, 'UNet high noise')).toMatchObject({ class_type: 'UnetLoaderGGUFAdvancedDisTorch2MultiGPU', inputs: { unet_name: RECORDED_FILES.highModel, dequant_dtype: 'default', patch_dtype: 'default', patch_on_device: false } });
    expect(byTitle(prompt, 'High-noise pass')?.inputs).toMatchObject({ steps: 4, start_at_step: 0, end_at_step: 2, noise_seed: 123456789, add_noise: 'enable', return_with_leftover_noise: 'enable', cfg: 5 });
    expect(byTitle(prompt, 'Low-noise pass')?.inputs).toMatchObject({ steps: 4, start_at_step: 2, end_at_step: 10000, noise_seed: 123456789, add_noise: 'disable' });
    expect(byTitle(prompt, 'UNet high noise')?.inputs).toMatchObject({ unet_name: 'Wan2.2-I2V-A14B-HighNoise-Q4_K_M.gguf', compute_device: 'cuda:1', expert_mode_allocations: 'cuda:0,1gb;cpu,*' });
    expect(byTitle(prompt, 'UNet low noise')?.inputs).toMatchObject({ unet_name: 'Wan2.2-I2V-A14B-LowNoise-Q4_K_M.gguf', compute_device: 'cuda:1' });
    expect(byTitle(prompt, 'Text encoder')?.inputs.device).toBe('cuda:1');
    expect(byTitle(prompt, 'Save MP4')?.inputs).toMatchObject({ filename_prefix: 'oelala/abc-a1', frame_rate: 16, crf: 19, format: 'video/h264-mp4', pix_fmt: 'yuv420p', save_output: false });
  });

  it('GIVEN no LoRA THEN both LoRA nodes are removed and the shifts are fed by the UNets', () => {
    const { prompt } = bindWorkflow(i2v, params());
    expect(Object.values(prompt).filter((node) => node.class_type === 'LoraLoaderModelOnly')).toEqual([]);
    expect(byTitle(prompt, 'Shift high')?.inputs.model).toEqual(['1', 0]);
    expect(byTitle(prompt, 'Shift low')?.inputs.model).toEqual(['2', 0]);
    expect([...linksInto(prompt, '5'), ...linksInto(prompt, '6')]).toEqual([]);
  });

  it('GIVEN only a high-noise LoRA THEN it is bound with its strength and the low one is bypassed', () => {
    const { prompt, nodeStages } = bindWorkflow(i2v, params({ loraHigh: { name: LIGHTX2V_HIGH, strength: 0.8 } }));
    expect(byTitle(prompt, 'LoRA high')?.inputs).toEqual({ model: ['1', 0], lora_name: LIGHTX2V_HIGH, strength_model: 0.8 });
    expect(byTitle(prompt, 'Shift high')?.inputs.model).toEqual(['5', 0]);
    expect(byTitle(prompt, 'LoRA low')).toBeUndefined();
    expect(byTitle(prompt, 'Shift low')?.inputs.model).toEqual(['2', 0]);
    expect(nodeStages['5']).toBe('loading_models');
    expect(nodeStages['6']).toBeUndefined();
  });

  it('GIVEN a binding THEN the template is never changed', () => {
    const before = structuredClone(i2v.graph);
    bindWorkflow(i2v, params({ loraLow: { name: LIGHTX2V_LOW, strength: 1 } }));
    expect(i2v.graph).toEqual(before);
  });

  it('GIVEN a bound graph THEN the worker learns the output node and the stage of each node', () => {
    const { outputNodeId, nodeStages } = bindWorkflow(i2v, params());
    expect(outputNodeId).toBe('18');
    expect(nodeStages).toMatchObject({ '1': 'loading_models', '2': 'loading_models', '15': 'high_noise', '16': 'low_noise', '17': 'decoding', '18': 'encoding' });
  });

  it('GIVEN an upscale workflow THEN bindWorkflow refuses it', () => {
    expect(() => bindWorkflow(upscale, params())).toThrow('not i2v');
  });
});

describe('the bound graph validates against the recorded ComfyUI 0.8.0 catalogue', () => {
  it.each(['fast', 'quality', 'maximum'])('GIVEN preset %s with both LoRAs THEN every input, link and type fits', (preset) => {
    const { prompt } = bindWorkflow(i2v, params({ loraHigh: { name: LIGHTX2V_HIGH, strength: 1 }, loraLow: { name: LIGHTX2V_LOW, strength: 1 } }, preset));
    const catalogue = recordedCatalogue();
    // The recording's server only had the Q4_K_M files; offer the others too, as an instance that has them would.
    const unet = catalogue.UnetLoaderGGUFDisTorch2MultiGPU!.input.required!.unet_name!;
    (unet[0] as string[]).push(...['Q5_K_S', 'Q6_K'].flatMap((q) => [`Wan2.2-I2V-A14B-HighNoise-${q}.gguf`, `Wan2.2-I2V-A14B-LowNoise-${q}.gguf`]));
    expect(checkGraph(prompt, catalogue)).toEqual([]);
  });
  it('GIVEN no LoRA THEN the rewired graph still fits', () => {
    expect(checkGraph(bindWorkflow(i2v, params()).prompt, recordedCatalogue())).toEqual([]);
  });
  it('GIVEN a graph with a wrong link and a misspelt input THEN the check names both', () => {
    const { prompt } = bindWorkflow(i2v, params());
    prompt['17']!.inputs.samples = ['14', 0];
    prompt['15']!.inputs.noise_sed = 1;
    expect(checkGraph(prompt, recordedCatalogue())).toEqual([
      'node #15 "High-noise pass": KSamplerAdvanced has no input "noise_sed"',
      'node #17 "Decode", input "samples": gets CONDITIONING from #14, expects LATENT',
    ]);
  });
});

describe('binding an upscale job', () => {
  it('GIVEN a finished video THEN it is loaded in place from output/ and scaled to 2×', () => {
    const video = outputVideoRef({ filename: 'abc-a1_00001.mp4', subfolder: 'oelala' });
    const { prompt, outputNodeId, nodeStages } = bindUpscale(upscale, { video, outputPrefix: 'oelala_up/abc' });
    expect(video).toBe('oelala/abc-a1_00001.mp4 [output]');
    expect(prompt['1']?.inputs.video).toBe(video);
    expect(prompt['3']?.inputs.model_name).toBe('4x-UltraSharp.pth');
    expect(prompt['5']?.inputs.scale_by).toBe(0.5);
    expect(prompt['6']?.inputs).toMatchObject({ filename_prefix: 'oelala_up/abc', frame_rate: ['2', 0], crf: 19 });
    expect(outputNodeId).toBe('6');
    expect(nodeStages).toEqual({ '1': 'loading_models', '3': 'loading_models', '4': 'upscaling', '5': 'upscaling', '6': 'encoding' });
  });
  it('GIVEN another model and scale THEN they are bound, and the graph fits the catalogue', () => {
    const { prompt } = bindUpscale(upscale, { video: 'wan22_i2v/job_00001.mp4 [output]', upscaleModel: 'RealESRGAN_x2.pth', scaleBy: 1, crf: 23, outputPrefix: 'up/x' });
    expect(prompt['3']?.inputs.model_name).toBe('RealESRGAN_x2.pth');
    const catalogue = recordedCatalogue();
    catalogue.UpscaleModelLoader!.input.required!.model_name = ['COMBO', { options: ['RealESRGAN_x2.pth'] }];
    expect(checkGraph(prompt, catalogue)).toEqual([]);
  });
});
