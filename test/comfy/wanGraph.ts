import sharp from 'sharp';
import type { ApiGraph } from '../../src/comfy/graph.ts';

/** A small Wan2.2 I2V DisTorch2 graph (protocol §4.12) with the simulator's model names: quick to run. */
export function wanGraph(options: { image: string; seed?: number; frames?: number; steps?: number; prefix?: string }): ApiGraph {
  const distorch = { virtual_vram_gb: 0, donor_device: 'cpu', expert_mode_allocations: 'cuda:0,0.25gb;cuda:1,8gb;cpu,*', eject_models: true };
  const steps = options.steps ?? 4;
  const split = Math.floor(steps / 2);
  return {
    '1': { class_type: 'UnetLoaderGGUFDisTorch2MultiGPU', _meta: { title: 'UNet high noise' }, inputs: { unet_name: 'wan2.2_i2v_high_noise_14B_Q6_K.gguf', compute_device: 'cuda:0', ...distorch } },
    '2': { class_type: 'UnetLoaderGGUFDisTorch2MultiGPU', _meta: { title: 'UNet low noise' }, inputs: { unet_name: 'wan2.2_i2v_low_noise_14B_Q6_K.gguf', compute_device: 'cuda:0', ...distorch } },
    '3': { class_type: 'CLIPLoaderDisTorch2MultiGPU', _meta: { title: 'Text encoder' }, inputs: { clip_name: 'umt5-xxl-enc-bf16-uncensored-CONVERTED.safetensors', type: 'wan', device: 'cuda:1', ...distorch, expert_mode_allocations: '', eject_models: false } },
    '4': { class_type: 'VAELoaderDisTorch2MultiGPU', _meta: { title: 'VAE' }, inputs: { vae_name: 'wan_2.2_vae.safetensors', compute_device: 'cuda:0', ...distorch, expert_mode_allocations: '' } },
    '7': { class_type: 'ModelSamplingSD3', _meta: { title: 'Shift high' }, inputs: { model: ['1', 0], shift: 5.0 } },
    '8': { class_type: 'ModelSamplingSD3', _meta: { title: 'Shift low' }, inputs: { model: ['2', 0], shift: 5.0 } },
    '11': { class_type: 'CLIPTextEncode', _meta: { title: 'Positive' }, inputs: { clip: ['3', 0], text: 'a red fox turns its head' } },
    '12': { class_type: 'CLIPTextEncode', _meta: { title: 'Negative' }, inputs: { clip: ['3', 0], text: 'blurry' } },
    '13': { class_type: 'LoadImage', _meta: { title: 'Start image' }, inputs: { image: options.image } },
    '14': {
      class_type: 'WanImageToVideo',
      _meta: { title: 'I2V conditioning' },
      inputs: { positive: ['11', 0], negative: ['12', 0], vae: ['4', 0], start_image: ['13', 0], width: 64, height: 64, length: options.frames ?? 5, batch_size: 1 },
    },
    '15': {
      class_type: 'KSamplerAdvanced',
      _meta: { title: 'High-noise pass' },
      inputs: {
        model: ['7', 0], positive: ['14', 0], negative: ['14', 1], latent_image: ['14', 2], add_noise: 'enable', noise_seed: options.seed ?? 42, steps, cfg: 5.0,
        sampler_name: 'euler', scheduler: 'simple', start_at_step: 0, end_at_step: split, return_with_leftover_noise: 'enable',
      },
    },
    '16': {
      class_type: 'KSamplerAdvanced',
      _meta: { title: 'Low-noise pass' },
      inputs: {
        model: ['8', 0], positive: ['14', 0], negative: ['14', 1], latent_image: ['15', 0], add_noise: 'disable', noise_seed: options.seed ?? 42, steps, cfg: 5.0,
        sampler_name: 'euler', scheduler: 'simple', start_at_step: split, end_at_step: 10000, return_with_leftover_noise: 'disable',
      },
    },
    '17': { class_type: 'VAEDecode', _meta: { title: 'Decode' }, inputs: { samples: ['16', 0], vae: ['4', 0] } },
    '18': {
      class_type: 'VHS_VideoCombine',
      _meta: { title: 'Save MP4' },
      inputs: {
        images: ['17', 0], frame_rate: 16, loop_count: 0, filename_prefix: options.prefix ?? 'wan22_i2v/test', format: 'video/h264-mp4',
        pix_fmt: 'yuv420p', crf: 19, save_metadata: true, trim_to_audio: false, pingpong: false, save_output: true,
      },
    },
  };
}

/** A small PNG start image. */
export function startImage(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 80, b: 30 } } }).png().toBuffer();
}
