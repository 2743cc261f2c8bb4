import { modelFolderFor, nodePacksFor } from '../comfy/nodePacks.ts';
import type { SystemStats } from '../comfy/schemas.ts';
import { type Gpu, gpusOf, type PreviewSetting, previewSettingOf } from '../comfy/systemFacts.ts';
import { comboOptions, type InputSpec } from './checkGraph.ts';
import type { ParamName } from './bindingSchema.ts';
import { resolveNodeRef } from './graph.ts';
import type { LoadedWorkflow } from './loadWorkflow.ts';
import { MODEL_ROLE_WORDS, MODEL_ROLES, type ModelFiles, type Presets } from './presetSchema.ts';
import { describeModelProblem, type ModelProblem, pickModel } from './resolveModels.ts';
import { type VramFit, vramFit } from './vramFit.ts';

/** What preflight needs of a ComfyUI client (ComfyClient fits): cheap per-class and per-folder reads. */
export type ComfyInstance = {
  /** `{ [class]: NodeInfo }`, or `{}` when the class is not installed. */
  objectInfo(nodeClass?: string, signal?: AbortSignal): Promise<Record<string, unknown>>;
  /** File names in a model folder; may reject with a `status: 404` error for an unknown folder. */
  models(folder: string, signal?: AbortSignal): Promise<string[]>;
  systemStats(signal?: AbortSignal): Promise<Pick<SystemStats, 'system' | 'devices'>>;
};

export type PreflightWorkflows = {
  /** i2v workflows by name (a preset's `workflow`). */
  i2v: Record<string, LoadedWorkflow>;
  upscale?: LoadedWorkflow | undefined;
};

export type PresetReport = {
  runnable: boolean;
  /** One line per problem: a missing node ("node Class (pack)"), a model with the closest installed names. */
  missing: string[];
  /** The files this instance loads for the preset, when every role resolved. */
  models: ModelFiles | undefined;
  modelProblems: ModelProblem[];
  vram: VramFit;
};

export type PreflightReport = {
  /** Every node installed and every preset and the upscale runnable. */
  ok: boolean;
  missingNodes: Array<{ classType: string; pack: string }>;
  presets: Record<string, PresetReport>;
  /** The DisTorch2 device list of this instance, e.g. ["cpu", "cuda:0", "cuda:1"]. */
  devices: string[];
  loras: string[];
  upscaleModels: string[];
  upscaleRunnable: boolean;
  upscaleMissing: string[];
  /** From /system_stats: version, GPUs, and whether ComfyUI was started to send preview frames. */
  system: { version: string | undefined; gpus: Gpu[]; previews: PreviewSetting };
};

type NodeInfo = { input?: { required?: Record<string, InputSpec>; optional?: Record<string, InputSpec> } };

/** The parameter of each model role, and the upscale model's. */
const UPSCALE_PARAM = 'upscaleModel' satisfies ParamName;

/**
 * What this ComfyUI can run: installed nodes, the model files each preset resolves to, devices,
 * LoRAs, upscale models, GPUs and previews. The worker records it per instance and never sends a
 * job to an instance that cannot run its preset; /comfy status and `generate --check` show it.
 */
export async function preflight(instance: ComfyInstance, presets: Presets, workflows: PreflightWorkflows, signal?: AbortSignal): Promise<PreflightReport> {
  const all = [...Object.values(workflows.i2v), ...(workflows.upscale ? [workflows.upscale] : [])];
  const classes = [...new Set(all.flatMap((workflow) => Object.values(workflow.graph).map((node) => node.class_type)))].sort();

  const infos = new Map<string, NodeInfo>();
  const [stats] = await Promise.all([
    instance.systemStats(signal),
    ...classes.map(async (classType) => {
      const answer = await instance.objectInfo(classType, signal);
      const info = answer[classType];
      if (info && typeof info === 'object') infos.set(classType, info as NodeInfo);
    }),
  ]);
  const installed = new Set(infos.keys());
  const missingNodes = classes
    .filter((classType) => !installed.has(classType))
    .map((classType) => ({ classType, pack: nodePacksFor(classType, installed).join(' and ') || 'the custom node pack that provides it' }));

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

  /** The folder a workflow loads a parameter's file from, by the loader class and input it is bound to. */
  const folderOf = (workflow: LoadedWorkflow, param: ParamName) => {
    const target = workflow.binding.params[param]?.[0];
    if (!target) return undefined;
    const found = resolveNodeRef(workflow.graph, target.node);
    const classType = found.ok ? workflow.graph[found.id]?.class_type : undefined;
    return modelFolderFor(classType, target.input);
  };
  const missingNodesOf = (workflow: LoadedWorkflow) =>
    missingNodes.filter((node) => Object.values(workflow.graph).some((graphNode) => graphNode.class_type === node.classType)).map((node) => `node ${node.classType} (${node.pack})`);

  const gpus = gpusOf(stats);
  const presetReports: Record<string, PresetReport> = {};
  for (const preset of Object.values(presets)) {
    const workflow = workflows.i2v[preset.workflow];
    const vram = vramFit(preset.vram, gpus);
    if (!workflow) {
      presetReports[preset.name] = { runnable: false, missing: [`workflow ${preset.workflow}`], models: undefined, modelProblems: [], vram };
      continue;
    }
    const files: Partial<ModelFiles> = {};
    const modelProblems: ModelProblem[] = [];
    for (const role of MODEL_ROLES) {
      const folder = folderOf(workflow, role);
      if (!folder) {
        // A graph that loads no file for this role binds nothing; the preset's first choice stands in.
        files[role] = preset.models[role][0] ?? '';
        continue;
      }
      const pick = pickModel(MODEL_ROLE_WORDS[role], folder, preset.models[role], await listFolder(folder));
      if (pick.ok) files[role] = pick.file;
      else modelProblems.push(pick.problem);
    }
    const missing = [...missingNodesOf(workflow), ...modelProblems.map(describeModelProblem)];
    const models = modelProblems.length === 0 ? (files as ModelFiles) : undefined;
    presetReports[preset.name] = { runnable: missing.length === 0, missing, models, modelProblems, vram };
  }

  const upscaleMissing = workflows.upscale ? [...missingNodesOf(workflows.upscale), ...(await upscaleModelProblems(workflows.upscale))] : ['workflow (none loaded)'];
  async function upscaleModelProblems(workflow: LoadedWorkflow): Promise<string[]> {
    const folder = folderOf(workflow, UPSCALE_PARAM);
    const name = workflow.binding.defaults[UPSCALE_PARAM];
    if (!folder || typeof name !== 'string') return [];
    const pick = pickModel('upscale model', folder, [name], await listFolder(folder));
    return pick.ok ? [] : [describeModelProblem(pick.problem)];
  }
  const deviceSource = [...infos.entries()].find(([, info]) => info.input?.optional?.compute_device);
  const devices = comboOptions(deviceSource?.[1].input?.optional?.compute_device) ?? [];
  const [loras, upscaleModels] = await Promise.all([listFolder('loras'), listFolder('upscale_models')]);

  const upscaleRunnable = upscaleMissing.length === 0;
  const ok = missingNodes.length === 0 && upscaleRunnable && Object.values(presetReports).every((report) => report.runnable);
  const system = { version: stats.system.comfyui_version, gpus, previews: previewSettingOf(stats) };
  return { ok, missingNodes, presets: presetReports, devices, loras, upscaleModels, upscaleRunnable, upscaleMissing, system };
}
