import { z } from 'zod';

/**
 * The job's vocabulary: what a member (or the CLI) can ask for. One definition: the
 * stored job's schema (src/queue) embeds `jobOptionsSchema`, /i2v's instant checks parse
 * with it (`checkRequestedOptions`), and the command definition takes its limits from
 * `OPTION_LIMITS`, so none of them can drift from the others.
 */

export const JOB_KINDS = ['i2v', 'upscale'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const ASPECTS = ['auto', '16:9', '9:16', '1:1', '4:3', '3:4'] as const;
export type Aspect = (typeof ASPECTS)[number];

/** The bounds every job's options live within, whatever the preset says. */
export const OPTION_LIMITS = {
  promptLength: 2000,
  seed: { min: 0, max: Number.MAX_SAFE_INTEGER },
  loraStrength: { min: -10, max: 10 },
} as const;

export const loraChoiceSchema = z.object({
  name: z.string().min(1),
  strength: z.number().min(OPTION_LIMITS.loraStrength.min).max(OPTION_LIMITS.loraStrength.max),
});
export type LoraChoice = z.infer<typeof loraChoiceSchema>;

const seedSchema = z.number().int().min(OPTION_LIMITS.seed.min).max(OPTION_LIMITS.seed.max);

/** What a member (or the CLI) asked for. The seed is always resolved before enqueueing. */
export const jobOptionsSchema = z.object({
  prompt: z.string().max(OPTION_LIMITS.promptLength),
  negative: z.string().max(OPTION_LIMITS.promptLength).optional(),
  preset: z.string().min(1),
  frames: z.number().int().optional(),
  aspect: z.enum(ASPECTS).default('auto'),
  /** Side of a square pixel budget (480 → at most 480×480 px); default the preset's. */
  resolution: z.number().int().optional(),
  /** Playback frame rate of the video; default the preset's. */
  fps: z.number().int().optional(),
  /** Explicit size (the CLI's --width/--height); wins over `aspect`. */
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  steps: z.number().int().optional(),
  cfg: z.number().optional(),
  seed: seedSchema,
  loraHigh: loraChoiceSchema.optional(),
  loraLow: loraChoiceSchema.optional(),
  /** Post the video behind a spoiler. */
  spoiler: z.boolean().optional(),
});
export type JobOptions = z.infer<typeof jobOptionsSchema>;

/** The options as asked, before a random seed is drawn for a member who gave none. */
export const requestedOptionsSchema = jobOptionsSchema.extend({ seed: seedSchema.optional() });
export type RequestedOptions = z.infer<typeof requestedOptionsSchema>;
