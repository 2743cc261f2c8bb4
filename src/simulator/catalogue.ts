import { readFileSync } from 'node:fs';
import { listModels } from './modelFolders.ts';
import type { JsonObject, SimulatedVersion } from './types.ts';

/**
 * The node classes the simulator knows, with their real input specs. catalogue.json was cut
 * from the recorded v0.8.0 /object_info (core nodes) and 10-stub-object-info (the DisTorch2
 * loaders, PathchSageAttentionKJ, VHS_VideoCombine); VHS_LoadVideo and VHS_VideoInfoLoaded
 * are written from comfyui-protocol.md §6. Model and device combos are left empty in the file
 * and filled per request from the simulator's folders, so a missing model is a real
 * value_not_in_list.
 */
export type InputSpec = [unknown, JsonObject?];
export type NodeInfo = {
  input: { required?: Record<string, InputSpec>; optional?: Record<string, InputSpec>; hidden?: JsonObject };
  input_order: JsonObject;
  output: string[];
  output_is_list: boolean[];
  output_name: string[];
  name: string;
  display_name: string | null;
  description: string;
  python_module: string;
  category: string;
  output_node: boolean;
  [key: string]: unknown;
};
export type Catalogue = Record<string, NodeInfo>;

const baseCatalogue = JSON.parse(
  readFileSync(new URL('./catalogue.json', import.meta.url), 'utf8'),
) as Catalogue;

export type CatalogueContext = {
  version: SimulatedVersion;
  /** Model files on disk per models/ folder. */
  models: Record<string, string[]>;
  devices: string[];
  missingClasses: readonly string[];
  /** Top-level image files in input/, for LoadImage's combo. */
  inputImages: string[];
  /** Top-level video files in input/, for VHS_LoadVideo's combo. */
  inputVideos: string[];
};

type ListSource = (ctx: CatalogueContext) => string[];
const folder = (key: string): ListSource => (ctx) => listModels(ctx.models, key);
const devices: ListSource = (ctx) => ctx.devices;

/** Which combo of which class lists what. */
const dynamicLists: Record<string, Record<string, ListSource>> = {
  UnetLoaderGGUFDisTorch2MultiGPU: { unet_name: folder('unet_gguf') },
  UnetLoaderGGUFAdvancedDisTorch2MultiGPU: { unet_name: folder('unet_gguf') },
  UNETLoaderDisTorch2MultiGPU: { unet_name: folder('diffusion_models') },
  VAELoaderDisTorch2MultiGPU: { vae_name: (ctx) => [...listModels(ctx.models, 'vae'), 'pixel_space'] },
  CLIPLoaderDisTorch2MultiGPU: { clip_name: folder('text_encoders') },
  CLIPLoaderGGUFDisTorch2MultiGPU: {
    clip_name: (ctx) => [...listModels(ctx.models, 'text_encoders'), ...listModels(ctx.models, 'clip_gguf')].sort(),
  },
  LoraLoaderModelOnly: { lora_name: folder('loras') },
  UpscaleModelLoader: { model_name: folder('upscale_models') },
  LoadImage: { image: (ctx) => ctx.inputImages },
  VHS_LoadVideo: { video: (ctx) => ctx.inputVideos },
};
const deviceInputs = new Set(['compute_device', 'device', 'donor_device']);

function fillNode(name: string, info: NodeInfo, ctx: CatalogueContext): NodeInfo {
  const node = structuredClone(info);
  for (const section of [node.input.required, node.input.optional]) {
    if (!section) continue;
    for (const [input, spec] of Object.entries(section)) {
      const source = dynamicLists[name]?.[input] ?? (deviceInputs.has(input) ? devices : undefined);
      if (!source) continue;
      const list = [...source(ctx)];
      // V3 nodes declare combos as ["COMBO", {options}]; V1 nodes put the list in slot 0.
      if (spec[0] === 'COMBO') section[input] = ['COMBO', { ...spec[1], options: list }];
      else section[input] = spec[1] === undefined ? [list] : [list, spec[1]];
    }
  }
  if (ctx.version === '0.3.65') delete node.output_matchtypes;
  return node;
}

/** The catalogue as /object_info shows it right now. */
export function buildCatalogue(ctx: CatalogueContext): Catalogue {
  const out: Catalogue = {};
  for (const [name, info] of Object.entries(baseCatalogue)) {
    if (ctx.missingClasses.includes(name)) continue;
    out[name] = fillNode(name, info, ctx);
  }
  return out;
}

/** One class, or undefined when it is unknown or pretended missing. */
export function nodeInfo(ctx: CatalogueContext, name: string): NodeInfo | undefined {
  const info = Object.hasOwn(baseCatalogue, name) ? baseCatalogue[name] : undefined;
  if (!info || ctx.missingClasses.includes(name)) return undefined;
  return fillNode(name, info, ctx);
}

export function isOutputNode(ctx: CatalogueContext, classType: string): boolean {
  return nodeInfo(ctx, classType)?.output_node === true;
}

/** Output types of a class, for link checks; undefined for unknown classes. */
export function returnTypes(classType: string): string[] | undefined {
  return Object.hasOwn(baseCatalogue, classType) ? baseCatalogue[classType]?.output : undefined;
}
