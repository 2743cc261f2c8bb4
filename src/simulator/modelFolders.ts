/**
 * models/ as ComfyUI's folder_paths lists it: a listing key reads one or more folders on disk
 * (`text_encoders` reads models/text_encoders and models/clip, `diffusion_models` reads
 * models/unet and models/diffusion_models), filtered by extension; ComfyUI-GGUF adds
 * `unet_gguf` and `clip_gguf`, the .gguf files of the same folders. The simulator's `models`
 * are the files on disk per folder, as the rig's `--models "folder/file"` creates them.
 */

const PT_EXTENSIONS = ['.ckpt', '.pt', '.pt2', '.bin', '.pth', '.safetensors', '.pkl', '.sft'];

const LISTINGS: Record<string, { dirs: string[]; extensions: string[] }> = {
  text_encoders: { dirs: ['text_encoders', 'clip'], extensions: PT_EXTENSIONS },
  diffusion_models: { dirs: ['unet', 'diffusion_models'], extensions: PT_EXTENSIONS },
  unet_gguf: { dirs: ['diffusion_models', 'unet'], extensions: ['.gguf'] },
  clip_gguf: { dirs: ['text_encoders', 'clip'], extensions: ['.gguf'] },
  controlnet: { dirs: ['controlnet', 't2i_adapter'], extensions: PT_EXTENSIONS },
};

/** The keys /models lists, in ComfyUI 0.8.0's order (unet_gguf, clip_gguf from ComfyUI-GGUF). */
export const MODEL_LISTING_KEYS = [
  'checkpoints', 'configs', 'loras', 'vae', 'text_encoders', 'diffusion_models', 'clip_vision', 'style_models', 'embeddings', 'diffusers',
  'vae_approx', 'controlnet', 'gligen', 'upscale_models', 'latent_upscale_models', 'custom_nodes', 'hypernetworks', 'photomaker',
  'classifiers', 'model_patches', 'audio_encoders', 'unet_gguf', 'clip_gguf',
];

/** What `/models/{key}` answers for these files on disk (sorted, like folder_paths.get_filename_list). */
export function listModels(onDisk: Record<string, readonly string[]>, key: string): string[] {
  const listing = LISTINGS[key] ?? { dirs: [key], extensions: PT_EXTENSIONS };
  const files = listing.dirs.flatMap((dir) => onDisk[dir] ?? []).filter((file) => listing.extensions.some((ext) => file.toLowerCase().endsWith(ext)));
  return [...new Set(files)].sort();
}

/** "diffusion_models/a.gguf,clip/b.safetensors" (the rig's --models) → files per folder. */
export function modelsFromPaths(paths: readonly string[]): Record<string, string[]> {
  const models: Record<string, string[]> = {};
  for (const path of paths) {
    const [folder, ...rest] = path.split('/');
    if (!folder || rest.length === 0) throw new Error(`model path "${path}" must be folder/file, e.g. diffusion_models/x.gguf`);
    (models[folder] ??= []).push(rest.join('/'));
  }
  return models;
}
