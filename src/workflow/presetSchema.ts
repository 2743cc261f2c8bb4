import { z } from 'zod';

/**
 * A preset file (presets/*.json): the defaults and allowed ranges of one quality
 * level. The one source of truth for what /i2v offers, what it accepts and which
 * model files an instance needs. Documented in presets/README.md.
 */

const range = (lowest: number, highest: number) =>
  z
    .strictObject({ min: z.number().min(lowest).max(highest), max: z.number().min(lowest).max(highest) })
    .refine((r) => r.min <= r.max, 'min must not exceed max');

const isFrameCount = (n: number) => Number.isInteger(n) && n >= 1 && (n - 1) % 4 === 0;
const frameCount = z.number().int().refine(isFrameCount, 'frame counts are 4k+1 (17, 21, 25, …, 81)');
const ggufName = z.string().regex(/\.gguf$/, 'must be a .gguf file name');

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
      /** Short edge in px of the pixel budget: budget = resolution² × 16/9. */
      resolution: z.number().int().multipleOf(16),
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
      resolution: range(16, 2048),
      /** Each edge after rounding (extreme aspect ratios are clamped to stay inside). */
      edge: range(16, 4096),
      frames: range(1, 1001).refine((r) => isFrameCount(r.min) && isFrameCount(r.max), 'frame range ends must be 4k+1'),
      steps: range(1, 200),
      cfg: range(0, 100),
      loraStrength: range(-10, 10),
    }),
    models: z.strictObject({
      quantisation: z.string().min(1),
      highNoise: ggufName,
      lowNoise: ggufName,
      textEncoder: z.string().min(1),
      vae: z.string().min(1),
    }),
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
    const within = (key: 'resolution' | 'frames' | 'steps' | 'cfg' | 'loraStrength') => {
      const r = ranges[key];
      if (defaults[key] < r.min || defaults[key] > r.max) {
        ctx.addIssue({ code: 'custom', path: ['defaults', key], message: `default ${defaults[key]} is outside the range ${r.min}–${r.max}` });
      }
    };
    (['resolution', 'frames', 'steps', 'cfg', 'loraStrength'] as const).forEach(within);
    if (defaults.splitStep !== undefined && defaults.splitStep >= defaults.steps) {
      ctx.addIssue({ code: 'custom', path: ['defaults', 'splitStep'], message: `must be below the default steps (${defaults.steps})` });
    }
  });

export type PresetFile = z.infer<typeof presetSchema>;
/** A preset with its name (the file name without .json). */
export type Preset = PresetFile & { name: string };
export type Presets = Record<string, Preset>;
