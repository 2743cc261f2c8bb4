import { readdirSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import sharp from 'sharp';
import { animationFormat, encodeAnimation, probeVideo, renderStills, type Frames, type MediaTools } from './media.ts';
import type { JsonObject } from './types.ts';

/**
 * What each simulated class does when it runs. Model-needing nodes pass handles along;
 * picture nodes pass `Frames` recipes; output nodes write real files and return their
 * UI dict (`images` for SaveImage, `gifs` for VHS) exactly as ComfyUI reports them.
 */
export type Dirs = { input: string; output: string; temp: string };
export type StepKind = 'sampler' | 'frame' | 'tile';
export type NodeRunContext = {
  nodeId: string;
  classType: string;
  /** Inputs with links resolved to the upstream values. */
  inputs: Record<string, unknown>;
  dirs: Dirs;
  tools: MediaTools;
  signal: AbortSignal;
  /** Resolves an annotated path ("x.png", "sub/x.mp4 [output]") to a file; undefined when unsafe. */
  resolveAnnotated: (annotated: string, defaultType: keyof Dirs) => string | undefined;
  /** One progress update: waits the step's time (interruptible) and emits the messages. */
  step: (value: number, max: number, kind: StepKind) => Promise<void>;
};
export type NodeResult = { outputs: unknown[]; ui?: Record<string, unknown[]> | undefined };

/** A Python exception as execution_error reports it. */
export class PythonError extends Error {
  readonly pyType: string;
  readonly traceback: string[];
  constructor(pyType: string, message: string, traceback: string[] = []) {
    super(message);
    this.pyType = pyType;
    this.traceback = traceback;
  }
}

type Latent = { kind: 'latent'; width: number; height: number; frames: number; start: string | undefined };
type Handle = { kind: string; name: string; scale?: number };

const num = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const frames = (v: unknown): Frames => {
  if (typeof v === 'object' && v !== null && (v as Frames).kind === 'frames') return v as Frames;
  throw new PythonError('AttributeError', "'NoneType' object has no attribute 'shape'");
};
const transformed = (v: unknown, change: Partial<Frames>): Frames => {
  const f = frames(v);
  return { ...f, ...change, filters: [...f.filters, ...(change.filters ?? [])] };
};

/** Next counter after the highest `<name>_<digits>` in the folder, VHS- and SaveImage-style. */
function nextCounter(folder: string, name: string, suffix: string): number {
  let max = 0;
  const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_(\\d+)${suffix}`);
  try {
    for (const file of readdirSync(folder)) {
      const n = Number(pattern.exec(file)?.[1] ?? 0);
      if (n > max) max = n;
    }
  } catch {
    // A folder that does not exist yet has no files.
  }
  return max + 1;
}

function savePaths(root: string, prefix: string): { folder: string; subfolder: string; name: string } {
  const subfolder = dirname(prefix) === '.' ? '' : dirname(prefix);
  const folder = join(root, subfolder);
  if (!folder.startsWith(root)) throw new PythonError('Exception', `Saving image outside the output folder is not allowed.`);
  mkdirSync(folder, { recursive: true });
  return { folder, subfolder, name: basename(prefix) };
}

const pad = (n: number): string => String(n).padStart(5, '0');
const handle = (kind: string, name: unknown): Handle => ({ kind, name: String(name) });
const passModel = (ctx: NodeRunContext): NodeResult => ({ outputs: [ctx.inputs.model] });

async function saveImages(ctx: NodeRunContext, temp: boolean): Promise<NodeResult> {
  const images = frames(ctx.inputs.images);
  const prefix = temp ? `ComfyUI_temp_${Array.from({ length: 5 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}` : String(ctx.inputs.filename_prefix ?? 'ComfyUI');
  const { folder, subfolder, name } = savePaths(temp ? ctx.dirs.temp : ctx.dirs.output, prefix);
  const first = nextCounter(folder, name, '_');
  const files = Array.from({ length: images.count }, (_, i) => `${name}_${pad(first + i)}_.png`);
  await renderStills(ctx.tools, images, files.map((f) => join(folder, f)), ctx.signal);
  const type = temp ? 'temp' : 'output';
  return { outputs: [], ui: { images: files.map((filename) => ({ filename, subfolder, type })) } };
}

async function saveAnimated(ctx: NodeRunContext, format: string): Promise<NodeResult> {
  const images = frames(ctx.inputs.images);
  const { folder, subfolder, name } = savePaths(ctx.dirs.output, String(ctx.inputs.filename_prefix ?? 'ComfyUI'));
  const spec = animationFormat(format, 23, 'yuv420p');
  const filename = `${name}_${pad(nextCounter(folder, name, '_'))}_.${spec.extension}`;
  await encodeAnimation(ctx.tools, images, { fps: num(ctx.inputs.fps, 6), pingpong: false, format: spec, out: join(folder, filename) }, ctx.signal);
  return { outputs: [], ui: { images: [{ filename, subfolder, type: 'output' }], animated: [true] } };
}

async function videoCombine(ctx: NodeRunContext): Promise<NodeResult> {
  const images = frames(ctx.inputs.images);
  const format = String(ctx.inputs.format ?? 'video/h264-mp4');
  const pingpong = ctx.inputs.pingpong === true;
  const count = pingpong ? Math.max(1, images.count * 2 - 2) : images.count;
  const fps = num(ctx.inputs.frame_rate, 8);
  const saveOutput = ctx.inputs.save_output !== false;
  const type = saveOutput ? 'output' : 'temp';
  const { folder, subfolder, name } = savePaths(saveOutput ? ctx.dirs.output : ctx.dirs.temp, String(ctx.inputs.filename_prefix ?? 'AnimateDiff'));
  const counter = pad(nextCounter(folder, name, ''));
  const spec = animationFormat(format, num(ctx.inputs.crf, 19), String(ctx.inputs.pix_fmt ?? 'yuv420p'));
  const filename = `${name}_${counter}.${spec.extension}`;
  const workflow = `${name}_${counter}.png`;
  const encoding = encodeAnimation(
    ctx.tools,
    { ...images, count },
    { fps, pingpong, format: spec, out: join(folder, filename), firstFramePng: join(folder, workflow) },
    ctx.signal,
  );
  encoding.catch(() => undefined);
  // ffmpeg-backed formats report every frame; PIL-backed gif/webp report once at the end.
  if (format.startsWith('video/')) for (let i = 1; i <= count; i++) await ctx.step(i, count, 'frame');
  else await ctx.step(count, count, 'frame');
  await encoding;
  const fullpath = join(folder, filename);
  return {
    outputs: [[saveOutput, [join(folder, workflow), fullpath]]],
    ui: { gifs: [{ filename, subfolder, type, format, frame_rate: fps, workflow, fullpath }] },
  };
}

async function loadVideo(ctx: NodeRunContext): Promise<NodeResult> {
  const video = String(ctx.inputs.video);
  const path = ctx.resolveAnnotated(video, 'input');
  if (!path) throw new PythonError('Exception', `Invalid video file: ${video}`);
  const probe = await probeVideo(ctx.tools, path, ctx.signal);
  const skip = num(ctx.inputs.skip_first_frames);
  const nth = Math.max(1, num(ctx.inputs.select_every_nth, 1));
  const cap = num(ctx.inputs.frame_load_cap);
  let count = Math.ceil(Math.max(0, probe.frames - skip) / nth);
  if (cap > 0) count = Math.min(count, cap);
  const cw = num(ctx.inputs.custom_width);
  const ch = num(ctx.inputs.custom_height);
  const width = cw || (ch ? Math.round((probe.width * ch) / probe.height) : probe.width);
  const height = ch || (cw ? Math.round((probe.height * cw) / probe.width) : probe.height);
  const fps = num(ctx.inputs.force_rate) || probe.fps / nth;
  const loaded: Frames = { kind: 'frames', width, height, count, source: { type: 'video', path, skip, nth }, motion: false, filters: [] };
  const info = {
    source_fps: probe.fps,
    source_frame_count: probe.frames,
    source_duration: probe.duration,
    source_width: probe.width,
    source_height: probe.height,
    loaded_fps: fps,
    loaded_frame_count: count,
    loaded_duration: fps > 0 ? count / fps : 0,
    loaded_width: width,
    loaded_height: height,
  };
  return { outputs: [loaded, count, null, info] };
}

async function loadImage(ctx: NodeRunContext): Promise<NodeResult> {
  const image = String(ctx.inputs.image);
  const path = ctx.resolveAnnotated(image, 'input');
  if (!path) throw new PythonError('FileNotFoundError', `[Errno 2] No such file or directory: '${image}'`);
  const meta = await sharp(path).metadata().catch(() => undefined);
  if (!meta?.width || !meta.height) throw new PythonError('PIL.UnidentifiedImageError', `cannot identify image file '${path}'`);
  const still: Frames = { kind: 'frames', width: meta.width, height: meta.height, count: 1, source: { type: 'still', path }, motion: false, filters: [] };
  return { outputs: [still, { kind: 'mask', width: meta.width, height: meta.height }] };
}

async function sample(ctx: NodeRunContext): Promise<NodeResult> {
  const steps = num(ctx.inputs.steps, 1);
  const start = num(ctx.inputs.start_at_step);
  const end = Math.min(num(ctx.inputs.end_at_step, steps), steps);
  // The sampler slices the sigmas, so progress.max is the sliced step count.
  const count = Math.max(0, end - start);
  for (let i = 1; i <= count; i++) await ctx.step(i, count, 'sampler');
  return { outputs: [ctx.inputs.latent_image] };
}

function decode(ctx: NodeRunContext): NodeResult {
  const latent = ctx.inputs.samples as Latent;
  const source = latent.start ? ({ type: 'still', path: latent.start } as const) : ({ type: 'color', rgb: 0x5a6e8c } as const);
  return { outputs: [{ kind: 'frames', width: latent.width, height: latent.height, count: latent.frames, source, motion: true, filters: [] } satisfies Frames] };
}

function imageToVideo(ctx: NodeRunContext): NodeResult {
  const length = num(ctx.inputs.length, 81);
  const start = ctx.inputs.start_image === undefined ? undefined : frames(ctx.inputs.start_image);
  const latent: Latent = {
    kind: 'latent',
    width: num(ctx.inputs.width, 832),
    height: num(ctx.inputs.height, 480),
    // T = (length-1)//4 + 1 latent frames decode to 4(T-1)+1 frames: floored to 4k+1.
    frames: Math.floor((length - 1) / 4) * 4 + 1,
    start: start?.source.type === 'still' ? start.source.path : undefined,
  };
  return { outputs: [ctx.inputs.positive, ctx.inputs.negative, latent] };
}

async function upscaleWithModel(ctx: NodeRunContext): Promise<NodeResult> {
  const image = frames(ctx.inputs.image);
  const scale = (ctx.inputs.upscale_model as Handle).scale ?? 4;
  for (let i = 1; i <= image.count; i++) await ctx.step(i, image.count, 'tile');
  return { outputs: [transformed(image, { width: Math.round(image.width * scale), height: Math.round(image.height * scale) })] };
}

type Runner = (ctx: NodeRunContext) => NodeResult | Promise<NodeResult>;
const loader = (kind: string, key: string): Runner => (ctx) => ({ outputs: [handle(kind, ctx.inputs[key])] });

export const runners: Record<string, Runner> = {
  UnetLoaderGGUFDisTorch2MultiGPU: loader('MODEL', 'unet_name'),
  UnetLoaderGGUFAdvancedDisTorch2MultiGPU: loader('MODEL', 'unet_name'),
  UNETLoaderDisTorch2MultiGPU: loader('MODEL', 'unet_name'),
  VAELoaderDisTorch2MultiGPU: loader('VAE', 'vae_name'),
  CLIPLoaderDisTorch2MultiGPU: loader('CLIP', 'clip_name'),
  CLIPLoaderGGUFDisTorch2MultiGPU: loader('CLIP', 'clip_name'),
  UpscaleModelLoader: (ctx) => {
    const name = String(ctx.inputs.model_name);
    const scale = Number(/(\d)x/i.exec(name)?.[1] ?? 4);
    return { outputs: [{ kind: 'UPSCALE_MODEL', name, scale } satisfies Handle] };
  },
  LoraLoaderModelOnly: passModel,
  ModelSamplingSD3: passModel,
  PathchSageAttentionKJ: passModel,
  CLIPTextEncode: (ctx) => ({ outputs: [{ kind: 'CONDITIONING', text: String(ctx.inputs.text) }] }),
  LoadImage: loadImage,
  WanImageToVideo: imageToVideo,
  KSamplerAdvanced: sample,
  VAEDecode: decode,
  VAEDecodeTiled: decode,
  EmptyImage: (ctx) => ({
    outputs: [
      {
        kind: 'frames',
        width: num(ctx.inputs.width, 512),
        height: num(ctx.inputs.height, 512),
        count: num(ctx.inputs.batch_size, 1),
        source: { type: 'color', rgb: num(ctx.inputs.color) },
        motion: false,
        filters: [],
      } satisfies Frames,
    ],
  }),
  ImageScale: (ctx) => ({ outputs: [transformed(ctx.inputs.image, { width: num(ctx.inputs.width), height: num(ctx.inputs.height) })] }),
  ImageScaleBy: (ctx) => {
    const image = frames(ctx.inputs.image);
    const by = num(ctx.inputs.scale_by, 1);
    return { outputs: [transformed(image, { width: Math.round(image.width * by), height: Math.round(image.height * by) })] };
  },
  ImageUpscaleWithModel: upscaleWithModel,
  ImageInvert: (ctx) => ({ outputs: [transformed(ctx.inputs.image, { filters: ['negate'] })] }),
  ImageBlur: (ctx) => ({ outputs: [transformed(ctx.inputs.image, { filters: [`gblur=sigma=${num(ctx.inputs.sigma, 1)}`] })] }),
  SaveImage: (ctx) => saveImages(ctx, false),
  PreviewImage: (ctx) => saveImages(ctx, true),
  SaveAnimatedWEBP: (ctx) => saveAnimated(ctx, 'image/webp'),
  SaveAnimatedPNG: (ctx) => saveAnimated(ctx, 'image/apng'),
  VHS_VideoCombine: videoCombine,
  VHS_LoadVideo: loadVideo,
  VHS_VideoInfoLoaded: (ctx) => {
    const info = ctx.inputs.video_info as Record<string, number>;
    return { outputs: [info.loaded_fps, info.loaded_frame_count, info.loaded_duration, info.loaded_width, info.loaded_height] };
  },
};

/** current_inputs of an execution_error: each input as a list, non-primitives stringified. */
export function describeInputs(inputs: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [name, value] of Object.entries(inputs)) {
    if (value === undefined) continue;
    const primitive = value === null || ['string', 'number', 'boolean'].includes(typeof value);
    const kind = typeof value === 'object' && value !== null && 'kind' in value ? String(value.kind) : 'object';
    out[name] = [primitive ? value : `<${kind} ${JSON.stringify(value).slice(0, 120)}>`];
  }
  return out;
}
