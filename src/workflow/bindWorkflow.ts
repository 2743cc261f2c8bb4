import { bindGraph, type BoundWorkflow } from './bindGraph.ts';
import type { LoadedWorkflow } from './loadWorkflow.ts';
import type { ModelFiles } from './presetSchema.ts';
import type { JobParams } from './resolveJobParams.ts';

export type I2vBindParams = JobParams & ModelFiles & {
  /** The uploaded start image as LoadImage takes it: "name.png" or "subfolder/name.png". */
  image: string;
  /** VHS filename_prefix, e.g. "oelala/<jobId>-a1"; may contain a subfolder. */
  outputPrefix: string;
};

/** The i2v graph for one job. LoRA nodes without a chosen LoRA are left out and wired around. */
export function bindWorkflow(workflow: LoadedWorkflow, params: I2vBindParams): BoundWorkflow {
  if (workflow.binding.kind !== 'i2v') throw new Error(`Workflow ${workflow.name} is a ${workflow.binding.kind} workflow, not i2v`);
  return bindGraph(workflow, params);
}

export type UpscaleBindParams = {
  /** A file under ComfyUI's input/, or "subfolder/name.mp4 [output]" to read a finished video in place. */
  video: string;
  /** A file in models/upscale_models; default the binding's (4x-UltraSharp.pth). */
  upscaleModel?: string | undefined;
  /** Applied after the model: 0.5 after a 4× model lands on 2×; default the binding's. */
  scaleBy?: number | undefined;
  crf?: number | undefined;
  outputPrefix: string;
};

export function bindUpscale(workflow: LoadedWorkflow, params: UpscaleBindParams): BoundWorkflow {
  if (workflow.binding.kind !== 'upscale') throw new Error(`Workflow ${workflow.name} is a ${workflow.binding.kind} workflow, not upscale`);
  return bindGraph(workflow, params);
}

/** VHS_LoadVideo reads a finished video straight from output/ when the name carries " [output]". */
export function outputVideoRef(file: { filename: string; subfolder: string; type?: string | undefined }): string {
  // The bundled graphs save with save_output: false, so their videos sit in temp/, not output/.
  return `${file.subfolder ? `${file.subfolder}/` : ''}${file.filename} [${file.type ?? 'output'}]`;
}
