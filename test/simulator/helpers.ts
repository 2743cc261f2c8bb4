import sharp from 'sharp';
import WebSocket from 'ws';
import type { ComfySimulator } from '../../src/simulator/index.ts';

export type Message = { type: string; data: Record<string, unknown> };
export type Binary = { eventType: number; bytes: Buffer };

/** A socket that keeps everything it hears and lets a test wait for a message. */
export async function listen(sim: ComfySimulator, clientId: string, featureFlags = false) {
  const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/ws?clientId=${clientId}`);
  const messages: Message[] = [];
  const binaries: Binary[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    if (isBinary) binaries.push({ eventType: raw.readUInt32BE(0), bytes: raw });
    else messages.push(JSON.parse(raw.toString()) as Message);
    for (const w of waiters) w();
  });
  ws.on('close', () => {
    for (const w of waiters) w();
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  if (featureFlags) ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
  const waitFor = (match: (m: Message) => boolean, what = 'message'): Promise<Message> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = messages.find(match);
        if (found) {
          waiters.delete(check);
          resolve(found);
        } else if (ws.readyState === ws.CLOSED) {
          waiters.delete(check);
          reject(new Error(`socket closed before ${what}`));
        }
      };
      waiters.add(check);
      check();
    });
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  return {
    ws,
    messages,
    binaries,
    waitFor,
    closed,
    done: (promptId: string) => waitFor((m) => m.type === 'executing' && m.data.node === null && m.data.prompt_id === promptId, `end of ${promptId}`),
    of: (promptId: string) => messages.filter((m) => m.data.prompt_id === promptId),
    close: () => ws.close(),
  };
}

export async function post(sim: ComfySimulator, path: string, body: unknown): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(sim.url + path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

export async function getJson<T = Record<string, unknown>>(sim: ComfySimulator, path: string): Promise<T> {
  const res = await fetch(sim.url + path);
  return (await res.json()) as T;
}

export async function submit(sim: ComfySimulator, prompt: unknown, clientId?: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await post(sim, '/prompt', { prompt, ...(clientId ? { client_id: clientId } : {}), ...extra });
  if (res.status !== 200) throw new Error(`prompt refused: ${res.text}`);
  return (res.json as { prompt_id: string }).prompt_id;
}

export async function uploadStart(sim: ComfySimulator, name = 'start.png'): Promise<string> {
  const png = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#d94' } })
    .composite([{ input: await sharp({ create: { width: 80, height: 80, channels: 3, background: '#249' } }).png().toBuffer(), left: 40, top: 60 }])
    .png()
    .toBuffer();
  const fd = new FormData();
  fd.append('image', new Blob([new Uint8Array(png)]), name);
  const res = await fetch(`${sim.url}/upload/image`, { method: 'POST', body: fd });
  return ((await res.json()) as { name: string }).name;
}

export type WanParams = { image: string; width: number; height: number; length: number; fps: number; steps: number; split: number; seed: number; prefix: string };

/** The two-pass Wan2.2 I2V DisTorch2 graph of protocol §4.12 with the default model files. */
export function wanGraph(p: WanParams): Record<string, unknown> {
  const unet = (noise: 'High' | 'Low') => ({
    class_type: 'UnetLoaderGGUFDisTorch2MultiGPU',
    inputs: { unet_name: `wan2.2_i2v_${noise.toLowerCase()}_noise_14B_Q6_K.gguf`, compute_device: 'cuda:0', virtual_vram_gb: 0, donor_device: 'cpu', expert_mode_allocations: 'cuda:0,0.25gb;cuda:1,8gb;cpu,*', eject_models: true },
  });
  const sampler = (model: string, latent: [string, number], from: number, to: number, noise: boolean) => ({
    class_type: 'KSamplerAdvanced',
    inputs: {
      model: [model, 0], positive: ['14', 0], negative: ['14', 1], latent_image: latent,
      add_noise: noise ? 'enable' : 'disable', noise_seed: p.seed, steps: p.steps, cfg: 1, sampler_name: 'euler', scheduler: 'simple',
      start_at_step: from, end_at_step: to, return_with_leftover_noise: noise ? 'enable' : 'disable',
    },
  });
  return {
    '1': unet('High'),
    '2': unet('Low'),
    '3': { class_type: 'CLIPLoaderDisTorch2MultiGPU', inputs: { clip_name: 'umt5-xxl-enc-bf16-uncensored-CONVERTED.safetensors', type: 'wan', device: 'cuda:1' } },
    '4': { class_type: 'VAELoaderDisTorch2MultiGPU', inputs: { vae_name: 'wan_2.2_vae.safetensors', compute_device: 'cuda:0' } },
    '9': { class_type: 'PathchSageAttentionKJ', inputs: { model: ['1', 0], sage_attention: 'auto' } },
    '10': { class_type: 'PathchSageAttentionKJ', inputs: { model: ['2', 0], sage_attention: 'auto' } },
    '11': { class_type: 'CLIPTextEncode', inputs: { clip: ['3', 0], text: 'a fox turns its head' } },
    '12': { class_type: 'CLIPTextEncode', inputs: { clip: ['3', 0], text: 'blurry' } },
    '13': { class_type: 'LoadImage', inputs: { image: p.image } },
    '14': {
      class_type: 'WanImageToVideo',
      inputs: { positive: ['11', 0], negative: ['12', 0], vae: ['4', 0], start_image: ['13', 0], width: p.width, height: p.height, length: p.length, batch_size: 1 },
    },
    '15': sampler('9', ['14', 2], 0, p.split, true),
    '16': sampler('10', ['15', 0], p.split, 10000, false),
    '17': { class_type: 'VAEDecode', inputs: { samples: ['16', 0], vae: ['4', 0] } },
    '18': {
      class_type: 'VHS_VideoCombine',
      inputs: {
        images: ['17', 0], frame_rate: p.fps, loop_count: 0, filename_prefix: p.prefix, format: 'video/h264-mp4',
        pix_fmt: 'yuv420p', crf: 28, save_metadata: true, trim_to_audio: false, pingpong: false, save_output: true,
      },
    },
  };
}

export const defaultWan = (image: string, prefix: string): WanParams => ({ image, width: 160, height: 96, length: 19, fps: 16, steps: 4, split: 2, seed: 7, prefix });
