import { z } from 'zod';

/**
 * A preset file (presets/*.json): the defaults and allowed ranges of one quality
 * level. The one source of truth for what /i2v offers, what it accepts and which
 * model files an instance needs. Documented in presets/README.md.
 */

const between = (lowest: number, highest: number) => {
  const allowed = `must be between ${lowest} and ${highest}`;
  return z.number().min(lowest, allowed).max(highest, allowed);
};
const range = (lowest: number, highest: number) =>
  z
    .strictObject({ min: between(lowest, highest), max: between(lowest, highest) })
    .refine((r) => r.min <= r.max, 'min must not exceed max');

const isFrameCount = (n: number) => Number.isInteger(n) && n >= 1 && (n - 1) % 4 === 0;
const frameCount = z.number().int().refine(isFrameCount, 'frame counts are 4k+1 (17, 21, 25, …, 81)');
/** The owner's tested sizes: 256×256 smallest, 720×720 largest (their hardware-limits table). */
export const RESOLUTION_LIMITS = { min: 256, max: 720 } as const;

/**
 * The model files a graph loads, by the binding parameter each is bound to. A preset names each
 * as one file or as an ordered list of acceptable files; preflight takes the first one an
 * instance has (`resolveModels`).
 */
export const MODEL_ROLES = ['highModel', 'lowModel', 'textEncoder', 'vae'] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];
export const MODEL_ROLE_WORDS: Record<ModelRole, string> = { highModel: 'high-noise model', lowModel: 'low-noise model', textEncoder: 'text encoder', vae: 'VAE' };

const fileName = z
  .string()
  .min(1, 'a file name cannot be empty')
  .refine((name) => name.trim() === name, 'a file name cannot start or end with spaces')
  .refine((name) => !name.split(/[\\/]/).includes('..') && !/^[\\/]/.test(name), 'must be a file name inside the model folder (a subfolder is fine, ".." and absolute paths are not)')
  .refine((name) => /\.[a-z0-9]+$/i.test(name), 'must end with the file extension (e.g. .gguf, .safetensors)');
const ggufName = fileName.refine((name) => name.toLowerCase().endsWith('.gguf'), 'must be a .gguf file name');
/** One file, or the acceptable files in order of preference. */
const choices = (file: z.ZodType<string>) =>
  z.preprocess(
    (value) => (typeof value === 'string' ? [value] : value),
    z.array(file, { error: 'must be a file name or a list of file names, e.g. ["a_Q6_K.gguf", "a_Q5_K_S.gguf"]' }).min(1, 'the list of acceptable files is empty: name at least one'),
  );

/** presets/models.json, and a preset's own `models` (which may name only some of them). */
export const modelSetSchema = z.strictObject({
  $comment: z.string().optional(),
  highModel: choices(ggufName),
  lowModel: choices(ggufName),
  textEncoder: choices(fileName),
  vae: choices(fileName),
});
export type ModelChoices = Record<ModelRole, string[]>;
/** What an instance resolved each role to. */
export type ModelFiles = Record<ModelRole, string>;

export const presetSchema = z
  .strictObject({
    $comment: z.string().optional(),
    /** Shown in the /i2v preset choice. */
    label: z.string().min(1).max(100),
    /** One line, shown beside the label. */
    description: z.string().min(1).max(100),
    /** Sort key of the choices. */
    order: z.number().int(),
    /** The workflow (workflows/<name>.json) this preset drives. */
    workflow: z.string().min(1),
    defaults: z.strictObject({
      /** Side of a square pixel budget: 480 → at most 480×480 px, in the image's aspect ratio. */
      resolution: between(RESOLUTION_LIMITS.min, RESOLUTION_LIMITS.max).int().multipleOf(16, 'must be a multiple of 16'),
      frames: frameCount,
      steps: z.number().int().positive(),
      cfg: z.number().positive(),
      shift: z.number().positive().max(100),
      fps: z.number().int().min(1).max(60),
      sampler: z.string().min(1),
      scheduler: z.string().min(1),
      negative: z.string().max(2000),
      /** The step where the low-noise expert takes over; computed from the 0.9 boundary when absent. */
      splitStep: z.number().int().positive().optional(),
      loraStrength: z.number(),
      sageMode: z.string().min(1),
      crf: z.number().int().min(0).max(51),
    }),
    ranges: z.strictObject({
      resolution: range(RESOLUTION_LIMITS.min, RESOLUTION_LIMITS.max),
      /** Each edge of the video; `max` caps the long edge (720 by default). */
      edge: range(16, 4096),
      fps: range(1, 60),
      frames: range(1, 1001).refine((r) => isFrameCount(r.min) && isFrameCount(r.max), 'frame range ends must be 4k+1'),
      steps: range(1, 200),
      cfg: range(0, 100),
      loraStrength: range(-10, 10),
    }),
    /** This preset's own model files; roles left out come from presets/models.json. */
    models: modelSetSchema.partial().optional(),
    vram: z.strictObject({
      /** Smallest GPU that runs it with the default allocations. */
      minGb: z.number().positive(),
      recommendedGb: z.number().positive(),
      /** Smallest GPU that runs it when DisTorch2 offloads most weights to CPU RAM (slow). */
      offloadMinGb: z.number().positive(),
    }),
  })
  .superRefine((preset, ctx) => {
    const { defaults, ranges } = preset;
    const within = (key: 'resolution' | 'frames' | 'steps' | 'cfg' | 'fps' | 'loraStrength') => {
      const r = ranges[key];
      if (defaults[key] < r.min || defaults[key] > r.max) {
        ctx.addIssue({ code: 'custom', path: ['defaults', key], message: `default ${defaults[key]} is outside the range ${r.min}–${r.max}` });
      }
    };
    (['resolution', 'frames', 'steps', 'cfg', 'fps', 'loraStrength'] as const).forEach(within);
    if (defaults.splitStep !== undefined && defaults.splitStep >= defaults.steps) {
      ctx.addIssue({ code: 'custom', path: ['defaults', 'splitStep'], message: `must be below the default steps (${defaults.steps})` });
    }
  });

export type PresetFile = z.infer<typeof presetSchema>;
/** A preset with its name (the file name without .json) and every model role filled from the shared set. */
export type Preset = Omit<PresetFile, 'models'> & { name: string; models: ModelChoices };
export type Presets = Record<string, Preset>;
