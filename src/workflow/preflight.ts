import { comboOptions, type InputSpec } from './checkGraph.ts';
import type { ParamName } from './bindingSchema.ts';
import { resolveNodeRef } from './graph.ts';
import type { LoadedWorkflow } from './loadWorkflow.ts';
import type { Presets } from './presetSchema.ts';

/** What preflight needs of a ComfyUI client (ComfyClient fits): cheap per-class and per-folder reads. */
export type ComfyInstance = {
  /** `{ [class]: NodeInfo }`, or `{}` when the class is not installed. */
  objectInfo(nodeClass?: string, signal?: AbortSignal): Promise<Record<string, unknown>>;
  /** File names in a model folder; may reject with a `status: 404` error for an unknown folder. */
  models(folder: string, signal?: AbortSignal): Promise<string[]>;
};

export type PreflightWorkflows = {
  /** i2v workflows by name (a preset's `workflow`). */
  i2v: Record<string, LoadedWorkflow>;
  upscale?: LoadedWorkflow | undefined;
};

export type PreflightReport = {
  /** Every node installed and every preset and the upscale runnable. */
  ok: boolean;
  missingNodes: Array<{ classType: string; pack: string }>;
  /** Per preset; `missing` lists model files as "folder/file" and missing nodes as "node Class (pack)". */
  presets: Record<string, { runnable: boolean; missing: string[] }>;
  /** The DisTorch2 device list of this instance, e.g. ["cpu", "cuda:0", "cuda:1"]. */
  devices: string[];
  loras: string[];
  upscaleModels: string[];
  upscaleRunnable: boolean;
  upscaleMissing: string[];
};

/** The parameters that name model files, and the node input that loads each. */
const MODEL_PARAMS = ['highModel', 'lowModel', 'textEncoder', 'vae', 'upscaleModel'] as const satisfies readonly ParamName[];

/** The /models folder a loader class reads from. */
export function modelFolderFor(classType: string): string {
  if (/^UnetLoaderGGUF/i.test(classType)) return 'unet_gguf';
  if (/^CLIPLoaderGGUF/i.test(classType)) return 'clip_gguf';
  if (/^UNETLoader/i.test(classType)) return 'diffusion_models';
  if (/^CLIPLoader/i.test(classType)) return 'text_encoders';
  if (/^VAELoader/i.test(classType)) return 'vae';
  if (/^Lora/i.test(classType)) return 'loras';
  if (/^UpscaleModel/i.test(classType)) return 'upscale_models';
  return 'checkpoints';
}

/** The custom node pack that provides a class, so an admin knows what to install. */
export function packFor(classType: string, installed: ReadonlySet<string>): string {
  if (/DisTorch|MultiGPU/.test(classType)) {
    // The GGUF DisTorch2 loaders exist only when ComfyUI-GGUF is installed beside MultiGPU.
    const multiGpuPresent = [...installed].some((name) => /DisTorch|MultiGPU/.test(name));
    return /GGUF/.test(classType) && multiGpuPresent ? 'ComfyUI-GGUF' : 'ComfyUI-MultiGPU';
  }
  if (/GGUF/.test(classType)) return 'ComfyUI-GGUF';
  if (/KJ$/.test(classType)) return 'ComfyUI-KJNodes';
  if (/^VHS_/.test(classType)) return 'ComfyUI-VideoHelperSuite';
  return 'ComfyUI core (update ComfyUI)';
}

type NodeInfo = { input?: { required?: Record<string, InputSpec>; optional?: Record<string, InputSpec> } };

/**
 * What this ComfyUI can run: installed nodes, model files per preset, devices, LoRAs and
 * upscale models. The worker records it per instance and never sends a job to an
 * instance that cannot run its preset; /comfy status shows it.
 */
export async function preflight(instance: ComfyInstance, presets: Presets, workflows: PreflightWorkflows, signal?: AbortSignal): Promise<PreflightReport> {
  const all = [...Object.values(workflows.i2v), ...(workflows.upscale ? [workflows.upscale] : [])];
  const classes = [...new Set(all.flatMap((workflow) => Object.values(workflow.graph).map((node) => node.class_type)))].sort();

  const infos = new Map<string, NodeInfo>();
  await Promise.all(classes.map(async (classType) => {
    const answer = await instance.objectInfo(classType, signal);
    const info = answer[classType];
    if (info && typeof info === 'object') infos.set(classType, info as NodeInfo);
  }));
  const installed = new Set(infos.keys());
  const missingClasses = classes.filter((classType) => !installed.has(classType));
  const missingNodes = missingClasses.map((classType) => ({ classType, pack: packFor(classType, installed) }));

  const folders = new Map<string, Promise<string[]>>();
  const listFolder = (folder: string) => {
    let listing = folders.get(folder);
    if (!listing) {
      listing = instance.models(folder, signal).catch((error: unknown) => {
        // An unknown folder (e.g. unet_gguf without ComfyUI-GGUF) holds no files; anything else is a real failure.
        if ((error as { status?: unknown }).status === 404) return [];
        throw error;
      });
      folders.set(folder, listing);
    }
    return listing;
  };

  /** Model files a workflow would load for these parameter values, missing ones as "folder/file". */
  const missingFiles = async (workflow: LoadedWorkflow, values: Partial<Record<ParamName, unknown>>) => {
    const missing: string[] = [];
    for (const param of MODEL_PARAMS) {
      const target = workflow.binding.params[param]?.[0];
      const name = values[param] ?? workflow.binding.defaults[param];
      if (!target || typeof name !== 'string') continue;
      const found = resolveNodeRef(workflow.graph, target.node);
      const classType = found.ok ? workflow.graph[found.id]?.class_type : undefined;
      if (!classType) continue;
      const folder = modelFolderFor(classType);
      if (!(await listFolder(folder)).includes(name)) missing.push(`${folder}/${name}`);
    }
    return missing;
  };
  const missingNodesOf = (workflow: LoadedWorkflow) =>
    missingNodes.filter((node) => Object.values(workflow.graph).some((graphNode) => graphNode.class_type === node.classType)).map((node) => `node ${node.classType} (${node.pack})`);

  const presetReports: PreflightReport['presets'] = {};
  for (const preset of Object.values(presets)) {
    const workflow = workflows.i2v[preset.workflow];
    const missing = workflow
      ? [...missingNodesOf(workflow), ...(await missingFiles(workflow, { highModel: preset.models.highNoise, lowModel: preset.models.lowNoise, textEncoder: preset.models.textEncoder, vae: preset.models.vae }))]
      : [`workflow ${preset.workflow}`];
    presetReports[preset.name] = { runnable: missing.length === 0, missing };
  }

  const upscaleMissing = workflows.upscale ? [...missingNodesOf(workflows.upscale), ...(await missingFiles(workflows.upscale, {}))] : ['workflow (none loaded)'];
  const deviceSource = [...infos.entries()].find(([classType]) => classType === 'UnetLoaderGGUFDisTorch2MultiGPU') ?? [...infos.entries()].find(([, info]) => info.input?.optional?.compute_device);
  const devices = comboOptions(deviceSource?.[1].input?.optional?.compute_device) ?? [];
  const [loras, upscaleModels] = await Promise.all([listFolder('loras'), listFolder('upscale_models')]);

  const upscaleRunnable = upscaleMissing.length === 0;
  const ok = missingNodes.length === 0 && upscaleRunnable && Object.values(presetReports).every((report) => report.runnable);
  return { ok, missingNodes, presets: presetReports, devices, loras, upscaleModels, upscaleRunnable, upscaleMissing };
}
