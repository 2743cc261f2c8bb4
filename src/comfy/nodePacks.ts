/**
 * Which custom node pack provides a class, so "node type X is missing" can say what to install.
 * Order matters: the first matching rule wins.
 */
const packRules: ReadonlyArray<{ test: (classType: string) => boolean; packs: readonly string[] }> = [
  { test: (c) => /GGUF.*DisTorch2?MultiGPU$/.test(c), packs: ['ComfyUI-MultiGPU', 'ComfyUI-GGUF'] },
  { test: (c) => /DisTorch2?MultiGPU$/.test(c) || c.endsWith('MultiGPU'), packs: ['ComfyUI-MultiGPU'] },
  { test: (c) => c.includes('GGUF'), packs: ['ComfyUI-GGUF'] },
  { test: (c) => c === 'PathchSageAttentionKJ' || c.endsWith('KJ'), packs: ['ComfyUI-KJNodes'] },
  { test: (c) => c.startsWith('VHS_'), packs: ['ComfyUI-VideoHelperSuite'] },
  { test: (c) => c.endsWith('_Warper'), packs: ['ComfyUI-WarperNodes'] },
];

/**
 * The custom node packs that provide `classType`, or `[]` when it is not one we know. Given the
 * classes an instance has, a pack already there is left out: a GGUF DisTorch2 loader missing
 * beside other MultiGPU classes means ComfyUI-GGUF is what to install.
 */
export function nodePacksFor(classType: string, installed?: ReadonlySet<string>): readonly string[] {
  const packs = packRules.find((rule) => rule.test(classType))?.packs ?? [];
  if (!installed || packs.length < 2) return packs;
  const present = new Set([...installed].flatMap((name) => packRules.find((rule) => rule.test(name))?.packs.slice(0, 1) ?? []));
  const missing = packs.filter((pack) => !present.has(pack));
  return missing.length > 0 ? missing : packs;
}

/**
 * The `/models/{folder}` listing a loader input chooses from. ComfyUI lists `models/clip` and
 * `models/text_encoders` as one folder (`text_encoders`), `models/unet` and
 * `models/diffusion_models` as `diffusion_models` (without .gguf files), and ComfyUI-GGUF lists
 * the .gguf files of both as `unet_gguf` (`clip_gguf`).
 */
export function modelFolderFor(classType: string | undefined, inputName: string): string | undefined {
  switch (inputName) {
    case 'lora_name':
      return 'loras';
    case 'unet_name':
      return classType?.includes('GGUF') ? 'unet_gguf' : 'diffusion_models';
    case 'clip_name':
      return classType?.includes('GGUF') ? 'clip_gguf' : 'text_encoders';
    case 'vae_name':
      return 'vae';
    case 'ckpt_name':
      return 'checkpoints';
    case 'model_name':
      return classType === 'UpscaleModelLoader' ? 'upscale_models' : undefined;
    case 'clip_vision':
    case 'clip_vision_name':
      return 'clip_vision';
    default:
      return undefined;
  }
}

/** Inputs whose combo lists the devices of the box (DisTorch2 loaders). */
export const DEVICE_INPUTS: ReadonlySet<string> = new Set(['compute_device', 'device', 'donor_device']);

/** Where on disk a `/models/{folder}` listing reads, for messages an admin acts on. */
export function diskFoldersOf(folder: string): string {
  switch (folder) {
    case 'unet_gguf':
      return 'models/diffusion_models or models/unet (.gguf)';
    case 'clip_gguf':
      return 'models/text_encoders or models/clip (.gguf)';
    case 'diffusion_models':
      return 'models/diffusion_models or models/unet';
    case 'text_encoders':
      return 'models/text_encoders or models/clip';
    default:
      return `models/${folder}`;
  }
}
