import { z } from 'zod';
import { JOB_KINDS, jobOptionsSchema } from '../workflow/jobOptions.ts';
import { resolvedParamsSchema } from '../workflow/resolveJobParams.ts';
import { STAGES } from '../workflow/stages.ts';

/**
 * The job as it lives in Redis: everything needed to finish, retry, cancel, upscale
 * or re-render it (DESIGN invariant 2). Parsed with zod whenever it is read back.
 * Job data holds no secrets: no bot token, no interaction token. The options' vocabulary
 * (what a member can ask for, the stages) lives with the workflow; this file only stores it.
 */

/** Where the job's status message lives; edited with the bot token through the channel route. */
export const discordTargetSchema = z.object({
  guildId: z.string().optional(),
  channelId: z.string(),
  messageId: z.string(),
  /** The message this job answers (🔁/⬆️ reply to the original result). */
  replyToMessageId: z.string().optional(),
});
export type DiscordTarget = z.infer<typeof discordTargetSchema>;

/** The clip an extension continues: its video (in DATA_DIR), its length, and how many extensions deep this one is. */
export const extendSourceSchema = z.object({
  jobId: z.string(),
  videoPath: z.string().min(1),
  frames: z.number().int().positive(),
  depth: z.number().int().positive(),
});
export type ExtendSource = z.infer<typeof extendSourceSchema>;

export const jobDataSchema = z.object({
  v: z.literal(1),
  kind: z.enum(JOB_KINDS),
  options: jobOptionsSchema,
  /**
   * The options resolved against the preset and the image, once, when the job was accepted.
   * Absent on upscale jobs and on jobs stored before it existed (the worker resolves those).
   */
  params: resolvedParamsSchema.optional(),
  /** The stored start image (PNG, EXIF applied, first frame, metadata stripped) under DATA_DIR. */
  input: z.object({ path: z.string().min(1), width: z.number().int().positive(), height: z.number().int().positive() }),
  /** For `upscale`: the finished video to upscale. */
  source: z.object({ jobId: z.string(), videoPath: z.string() }).optional(),
  /** Largest file Discord accepts for this job (the interaction's attachment_size_limit). */
  sizeLimit: z.number().int().positive(),
  requester: z.object({ userId: z.string(), name: z.string() }),
  discord: discordTargetSchema.optional(),
  /** The job this one was derived from (🔁, ⬆️, ✏️ or ⏩). */
  parentJobId: z.string().optional(),
  /** ⏩: this job continues the parent's clip from its last frame (the job's input); the worker joins the two. */
  extend: extendSourceSchema.optional(),
  createdAt: z.number().int(),
});
export type JobData = z.infer<typeof jobDataSchema>;

export const jobProgressSchema = z.object({
  stage: z.enum(STAGES),
  /** Steps of the current stage, e.g. high-noise pass step 2 of 4. */
  step: z.object({ value: z.number().int(), max: z.number().int() }).optional(),
  /** Overall, 0..100. */
  percent: z.number().min(0).max(100),
  /** Epoch ms when the job is expected to end, learned from past jobs. */
  etaAt: z.number().optional(),
  startedAt: z.number().optional(),
  instance: z.string().optional(),
  /** Latest preview frame written under DATA_DIR, when ComfyUI sends previews. */
  previewPath: z.string().optional(),
});
export type JobProgress = z.infer<typeof jobProgressSchema>;

export const jobResultSchema = z.object({
  videoPath: z.string(),
  bytes: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  frames: z.number().int(),
  fps: z.number(),
  durationSeconds: z.number(),
  seed: z.number().int(),
  gpuSeconds: z.number(),
  reencoded: z.boolean(),
  /** Set when the video could not fit the limit: a still frame and where to fetch the file. */
  fallbackFramePath: z.string().optional(),
  /** With PUBLIC_BASE_URL, for a video too large to post: a signed link to it, valid until `videoUrlExpiresAt` (ms). */
  videoUrl: z.string().optional(),
  videoUrlExpiresAt: z.number().int().optional(),
  instance: z.string(),
  promptId: z.string(),
  /** The model files the instance loaded (resolved from the preset's acceptable names). */
  models: z.object({ highModel: z.string(), lowModel: z.string(), textEncoder: z.string(), vae: z.string() }).optional(),
});
export type JobResult = z.infer<typeof jobResultSchema>;

/**
 * A job's end in words, told to the reporter and stored beside the BullMQ job so any
 * process can word it: `message` for the member, `detail` for an admin and the logs.
 */
export const jobFailureSchema = z.object({
  /** A stable identifier (`out_of_memory`, a UserError's code, …). */
  code: z.string(),
  message: z.string(),
  detail: z.string().optional(),
  /** True when the worker will try again (a transient fault); the message says so. */
  retrying: z.boolean(),
});
export type JobFailure = z.infer<typeof jobFailureSchema>;

/** Which ComfyUI runs (or ran) the job and under which prompt id: recorded before submitting (DESIGN invariant 3). */
export const jobRunSchema = z.object({
  instance: z.string(),
  promptId: z.string(),
  attempt: z.number().int().positive(),
  submittedAt: z.number().int(),
});
export type JobRun = z.infer<typeof jobRunSchema>;

/** The durable half of a cancel: a worker that picks the job up later still sees it. */
export const cancelMarkerSchema = z.object({
  by: z.string(),
  at: z.number().int(),
  /** Kept when a waiting job was removed, so it can still be shown as cancelled. */
  data: jobDataSchema.optional(),
});
export type CancelMarker = z.infer<typeof cancelMarkerSchema>;

/** What travels on the cancel channel. */
export const cancelMessageSchema = z.object({ jobId: z.string(), by: z.string() });
export type CancelMessage = z.infer<typeof cancelMessageSchema>;
