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

/** The custom node packs that provide `classType`, or `[]` when it is not one we know. */
export function nodePacksFor(classType: string): readonly string[] {
  return packRules.find((rule) => rule.test(classType))?.packs ?? [];
}

/** Model folder a loader input reads from, for "is not installed (loras folder)". */
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
