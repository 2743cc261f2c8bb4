import { z } from 'zod';
import type { NodeOutput, OutputFile } from './events.ts';

/**
 * zod schemas for what ComfyUI's HTTP routes answer (shapes from the recordings of v0.3.65 and
 * v0.8.0). Parsed once at the edge; inner code takes the typed values. Schemas stay lenient
 * where servers differ (extra keys stripped, optional fields optional).
 */

const outputFileSchema = z.object({
  filename: z.string(),
  subfolder: z.string().default(''),
  type: z.enum(['output', 'temp', 'input']).default('output'),
  format: z.string().optional(),
  frame_rate: z.number().optional(),
  fullpath: z.string().optional(),
});

/**
 * A node's UI dict, keeping only lists of files: nodes also report things like
 * `"animated": [true]` (SaveAnimatedWEBP) or `"text": [...]`, which are not files.
 */
export const nodeOutputSchema = z.record(z.string(), z.unknown()).transform((ui): NodeOutput => {
  const output: NodeOutput = {};
  for (const [kind, items] of Object.entries(ui)) {
    if (!Array.isArray(items)) continue;
    const files: OutputFile[] = [];
    for (const item of items) {
      const parsed = outputFileSchema.safeParse(item);
      if (!parsed.success) continue;
      const { frame_rate: frameRate, ...file } = parsed.data;
      files.push({ ...file, frameRate });
    }
    if (files.length > 0) output[kind] = files;
  }
  return output;
});

export const submitResponseSchema = z.object({
  prompt_id: z.string(),
  number: z.number(),
  node_errors: z.record(z.string(), z.unknown()).optional(),
});

/** `[number, prompt_id, prompt, extra_data, outputs_to_execute]` (6-tuples internally since 0.3.68, 5 on the wire). */
const queueTupleSchema = z
  .tuple([z.number(), z.string(), z.unknown(), z.record(z.string(), z.unknown()).nullish(), z.array(z.string()).optional()])
  .rest(z.unknown())
  .transform(([number, promptId, , extraData, outputs]) => ({
    number,
    promptId,
    clientId: typeof extraData?.['client_id'] === 'string' ? extraData['client_id'] : undefined,
    outputs: outputs ?? [],
  }));

export type QueueItem = { number: number; promptId: string; clientId?: string | undefined; outputs: string[] };

export const queueResponseSchema = z
  .object({ queue_running: z.array(queueTupleSchema).default([]), queue_pending: z.array(queueTupleSchema).default([]) })
  .transform(({ queue_running: running, queue_pending: pending }) => ({
    running: running as QueueItem[],
    // The server sends the raw heap copy: not sorted.
    pending: [...pending].sort((a, b) => a.number - b.number) as QueueItem[],
  }));

export type QueueState = z.infer<typeof queueResponseSchema>;

/** One `[type, data]` pair of a history entry's status messages. */
const historyMessageSchema = z.tuple([z.string(), z.record(z.string(), z.unknown())]).rest(z.unknown());

export const historyEntrySchema = z
  .object({
    prompt: z.array(z.unknown()).optional(),
    outputs: z.record(z.string(), nodeOutputSchema.nullable()).default({}),
    status: z
      .object({
        status_str: z.string().nullish(),
        completed: z.boolean().default(false),
        messages: z.array(historyMessageSchema).default([]),
      })
      .nullish(),
    meta: z.unknown().optional(),
  })
  .transform((entry) => {
    const outputs: Record<string, NodeOutput> = {};
    for (const [node, output] of Object.entries(entry.outputs)) if (output) outputs[node] = output;
    const promptNumber = typeof entry.prompt?.[0] === 'number' ? entry.prompt[0] : undefined;
    const status = entry.status
      ? {
          statusStr: entry.status.status_str ?? undefined,
          completed: entry.status.completed,
          messages: entry.status.messages.map(([type, data]) => ({ type, data })),
        }
      : undefined;
    return { promptNumber, outputs, status };
  });

export type HistoryEntry = {
  promptNumber: number | undefined;
  outputs: Record<string, NodeOutput>;
  /** `undefined` only for entries written by very old servers. */
  status: { statusStr: string | undefined; completed: boolean; messages: Array<{ type: string; data: Record<string, unknown> }> } | undefined;
};

export const historyResponseSchema = z.record(z.string(), historyEntrySchema);

export const uploadResponseSchema = z.object({
  name: z.string(),
  subfolder: z.string().default(''),
  type: z.string().default('input'),
});

export const systemStatsSchema = z.object({
  system: z
    .object({
      os: z.string().optional(),
      ram_total: z.number().optional(),
      ram_free: z.number().optional(),
      comfyui_version: z.string().optional(),
      python_version: z.string().optional(),
      pytorch_version: z.string().optional(),
      argv: z.array(z.string()).optional(),
    })
    .loose(),
  devices: z
    .array(
      z
        .object({
          name: z.string(),
          type: z.string(),
          index: z.number().nullish(),
          vram_total: z.number().optional(),
          vram_free: z.number().optional(),
          torch_vram_total: z.number().optional(),
          torch_vram_free: z.number().optional(),
        })
        .loose(),
    )
    .default([]),
});
export type SystemStats = z.infer<typeof systemStatsSchema>;

export const featuresSchema = z
  .object({ supports_preview_metadata: z.boolean().optional(), max_upload_size: z.number().optional() })
  .loose();
export type ServerFeatures = z.infer<typeof featuresSchema>;

/** `/object_info` is big and varied; the workflow module reads into it. Only the outer shape is checked. */
export const objectInfoSchema = z.record(
  z.string(),
  z
    .object({
      input: z
        .object({
          required: z.record(z.string(), z.unknown()).optional(),
          optional: z.record(z.string(), z.unknown()).optional(),
          hidden: z.record(z.string(), z.unknown()).optional(),
        })
        .loose()
        .optional(),
      // Real servers send null for many of these (193 of 454 core classes have display_name null in 0.8.0).
      output: z.array(z.unknown()).nullish(),
      output_node: z.boolean().nullish(),
      name: z.string().nullish(),
      display_name: z.string().nullish(),
      category: z.string().nullish(),
      python_module: z.string().nullish(),
    })
    .loose(),
);
export type ObjectInfo = z.infer<typeof objectInfoSchema>;

export const stringListSchema = z.array(z.string());
