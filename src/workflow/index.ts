/** src/workflow: templates, presets, binding, checking and preflight. Pure where possible; never imports Discord or BullMQ. */
export { type Binding, bindingSchema, type ParamName, PARAM_NAMES, REQUIRED_PARAMS } from './bindingSchema.ts';
export { bindGraph, type BoundWorkflow, type ParamValues } from './bindGraph.ts';
export { bindUpscale, bindWorkflow, type I2vBindParams, outputVideoRef, type UpscaleBindParams } from './bindWorkflow.ts';
export { checkBinding } from './checkBinding.ts';
export { checkRequestedOptions } from './checkRequestedOptions.ts';
export { type Catalogue, checkGraph, comboOptions, type NodeSpec } from './checkGraph.ts';
export { isFrameCount, suggestFrames } from './frames.ts';
export { type ApiGraph, type ApiNode, apiGraphSchema, isLink, type Link, resolveNodeRef, titleOf } from './graph.ts';
export { expertOf, groupLoras, type LoraGroups } from './groupLoras.ts';
export { listPresets, loadPresets, MODEL_SET_FILE } from './loadPresets.ts';
export {
  ASPECTS,
  type Aspect,
  JOB_KINDS,
  type JobKind,
  type JobOptions,
  jobOptionsSchema,
  type LoraChoice,
  loraChoiceSchema,
  OPTION_LIMITS,
  type RequestedOptions,
  requestedOptionsSchema,
} from './jobOptions.ts';
export { type LoadedWorkflow, loadWorkflow } from './loadWorkflow.ts';
export { loadWorkflows, UPSCALE_WORKFLOW } from './loadWorkflows.ts';
export { aspectRatio, MAX_ASPECT, pickSize, pixelBudget, type Size, sizeForBudget } from './pickSize.ts';
export { type ComfyInstance, preflight, type PreflightReport, type PreflightWorkflows, type PresetReport } from './preflight.ts';
export {
  MODEL_ROLE_WORDS,
  MODEL_ROLES,
  type ModelChoices,
  type ModelFiles,
  type ModelRole,
  modelSetSchema,
  type Preset,
  type PresetFile,
  type Presets,
  presetSchema,
  RESOLUTION_LIMITS,
} from './presetSchema.ts';
export { describeModelFiles, describeModelProblem, type ModelPick, type ModelProblem, pickModel, preferredModels, quantisationOfSet } from './resolveModels.ts';
export { describeVramFit, type VramFit, type VramVerdict, vramFit } from './vramFit.ts';
export {
  type JobParams,
  type ParamOverrides,
  type Placement,
  placementFrom,
  type ResolvedParams,
  resolvedParamsSchema,
  resolveJobParams,
  withoutPlacement,
} from './resolveJobParams.ts';
export { STAGES, type Stage } from './stages.ts';
export { computeSplitStep, NOISE_BOUNDARY, shiftedSigma } from './splitStep.ts';
export { type CheckedOptions, checkFrames, validateOptionsForPreset } from './validateOptions.ts';
