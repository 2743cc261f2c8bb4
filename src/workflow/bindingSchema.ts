import { z } from 'zod';
import { JOB_KINDS } from './jobOptions.ts';
import { STAGES } from './stages.ts';

/**
 * How job parameters land on a graph's node inputs. Lives beside the graph as
 * `<name>.binding.json` and is documented in workflows/README.md.
 */

/** Parameters an i2v graph can take; every one is optional to bind except REQUIRED_PARAMS. */
export const I2V_PARAMS = [
  'image', 'prompt', 'negative', 'width', 'height', 'frames', 'fps', 'steps', 'splitStep', 'cfg', 'shift',
  'seed', 'sampler', 'scheduler', 'highModel', 'lowModel', 'loraHigh', 'loraLow', 'textEncoder', 'vae',
  'computeDevice', 'allocations', 'sageMode', 'crf', 'outputPrefix',
] as const;

/** Every parameter a binding may name (crf and outputPrefix are shared by both kinds). */
export const PARAM_NAMES = [...I2V_PARAMS, 'video', 'upscaleModel', 'scaleBy'] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

/** Without these a graph would silently ignore what the member asked for. */
export const REQUIRED_PARAMS = {
  i2v: ['image', 'prompt', 'width', 'height', 'frames', 'seed', 'steps', 'outputPrefix'],
  upscale: ['video', 'outputPrefix'],
} as const satisfies Record<string, readonly ParamName[]>;

const nodeRef = z.string().min(1);

export const bindingTargetSchema = z.strictObject({
  /** Node id or `_meta.title`. */
  node: nodeRef,
  input: z.string().min(1),
  /** For object-valued parameters (a LoRA is `{ name, strength }`): which field goes here. */
  field: z.string().min(1).optional(),
});

export const optionalNodeSchema = z.strictObject({
  node: nodeRef,
  /** The node is removed from the graph when this parameter is not set. */
  param: z.enum(PARAM_NAMES),
  /** The input whose link replaces every link that pointed at the removed node. */
  passThrough: z.string().min(1),
  /** Which of the node's outputs the pass-through stands for; default 0. */
  output: z.number().int().nonnegative().default(0),
});

export const bindingSchema = z.strictObject({
  $comment: z.string().optional(),
  /** A workflow serves one kind of job. */
  kind: z.enum(JOB_KINDS),
  description: z.string().optional(),
  /** The node whose UI output carries the video (`gifs`). */
  output: nodeRef,
  /** Node → the class_type the binding expects there, or the classes it works with (checked at load). */
  classes: z.record(nodeRef, z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])).default({}),
  /** Values used when a job does not set the parameter (upscale model, scale, crf). */
  defaults: z.partialRecord(z.enum(PARAM_NAMES), z.union([z.string(), z.number(), z.boolean()])).default({}),
  params: z.partialRecord(z.enum(PARAM_NAMES), z.array(bindingTargetSchema).min(1)),
  optional: z.array(optionalNodeSchema).default([]),
  /** Node → progress stage; the worker shows the stage of the node that is running. */
  stages: z.record(nodeRef, z.enum(STAGES)).default({}),
});
export type Binding = z.infer<typeof bindingSchema>;
