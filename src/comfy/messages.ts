import { z } from 'zod';
import { nodeOutputSchema } from './schemas.ts';
import type { NodeOutput } from './events.ts';

/**
 * Pure parsing of what ComfyUI sends on its WebSocket. Every text frame goes through zod once;
 * unknown types, custom nodes' messages and malformed frames give `undefined` (never a throw).
 */

export type ComfyMessage =
  | { type: 'status'; queueRemaining: number; sid: string | undefined }
  | { type: 'execution_start'; promptId: string; timestamp: number | undefined }
  | { type: 'execution_cached'; promptId: string; nodes: string[] }
  /** `promptId` is absent in the form a server sends right after a reconnect; `node` null means the prompt ended. */
  | { type: 'executing'; promptId: string | undefined; node: string | null }
  | { type: 'progress'; promptId: string | undefined; node: string | undefined; value: number; max: number }
  | { type: 'executed'; promptId: string; node: string; output: NodeOutput | null }
  | { type: 'execution_success'; promptId: string; timestamp: number | undefined }
  | {
      type: 'execution_error';
      promptId: string;
      nodeId: string | undefined;
      nodeType: string | undefined;
      exceptionType: string;
      exceptionMessage: string;
      timestamp: number | undefined;
    }
  | { type: 'execution_interrupted'; promptId: string; nodeId: string | undefined; nodeType: string | undefined; timestamp: number | undefined }
  | { type: 'feature_flags'; flags: Record<string, unknown> }
  /** A binary preview; type 1 frames carry no prompt id (the socket attributes them to the running prompt). */
  | { type: 'preview'; promptId: string | undefined; node: string | undefined; mime: 'image/jpeg' | 'image/png'; image: Buffer };

export type ComfyMessageType = ComfyMessage['type'];

const id = z.union([z.string(), z.number().transform(String)]);
const optionalId = id.nullish().transform((value) => value ?? undefined);
const timestamp = z.number().nullish().transform((value) => value ?? undefined);

const dataSchemas = {
  status: z
    .object({ status: z.object({ exec_info: z.object({ queue_remaining: z.number() }) }), sid: z.string().nullish() })
    .transform((data) => ({ type: 'status' as const, queueRemaining: data.status.exec_info.queue_remaining, sid: data.sid ?? undefined })),
  execution_start: z
    .object({ prompt_id: z.string(), timestamp })
    .transform((data) => ({ type: 'execution_start' as const, promptId: data.prompt_id, timestamp: data.timestamp })),
  execution_cached: z
    .object({ prompt_id: z.string(), nodes: z.array(id).default([]) })
    .transform((data) => ({ type: 'execution_cached' as const, promptId: data.prompt_id, nodes: data.nodes })),
  executing: z
    .object({ node: id.nullable(), prompt_id: z.string().nullish() })
    .transform((data) => ({ type: 'executing' as const, promptId: data.prompt_id ?? undefined, node: data.node })),
  progress: z
    .object({ value: z.number(), max: z.number(), prompt_id: z.string().nullish(), node: optionalId })
    .transform((data) => ({ type: 'progress' as const, promptId: data.prompt_id ?? undefined, node: data.node, value: data.value, max: data.max })),
  executed: z
    .object({ node: id, prompt_id: z.string(), output: nodeOutputSchema.nullish() })
    .transform((data) => ({ type: 'executed' as const, promptId: data.prompt_id, node: data.node, output: data.output ?? null })),
  execution_success: z
    .object({ prompt_id: z.string(), timestamp })
    .transform((data) => ({ type: 'execution_success' as const, promptId: data.prompt_id, timestamp: data.timestamp })),
  execution_error: z
    .object({
      prompt_id: z.string(),
      node_id: optionalId,
      node_type: z.string().nullish(),
      exception_type: z.string().default('Exception'),
      exception_message: z.string().default(''),
      timestamp,
    })
    .transform((data) => ({
      type: 'execution_error' as const,
      promptId: data.prompt_id,
      nodeId: data.node_id,
      nodeType: data.node_type ?? undefined,
      exceptionType: data.exception_type,
      exceptionMessage: data.exception_message,
      timestamp: data.timestamp,
    })),
  execution_interrupted: z
    .object({ prompt_id: z.string(), node_id: optionalId, node_type: z.string().nullish(), timestamp })
    .transform((data) => ({
      type: 'execution_interrupted' as const,
      promptId: data.prompt_id,
      nodeId: data.node_id,
      nodeType: data.node_type ?? undefined,
      timestamp: data.timestamp,
    })),
  feature_flags: z.record(z.string(), z.unknown()).transform((flags) => ({ type: 'feature_flags' as const, flags })),
} satisfies Record<Exclude<ComfyMessageType, 'preview'>, z.ZodType>;

const envelopeSchema = z.object({ type: z.string(), data: z.unknown() });

/** A text frame as a typed message, or `undefined` for anything we do not follow. */
export function parseTextMessage(text: string): ComfyMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success || !Object.hasOwn(dataSchemas, envelope.data.type)) return undefined;
  const schema = dataSchemas[envelope.data.type as keyof typeof dataSchemas];
  const parsed = schema.safeParse(envelope.data.data);
  return parsed.success ? (parsed.data as ComfyMessage) : undefined;
}

export const BINARY_EVENT = { previewImage: 1, unencodedPreview: 2, text: 3, previewImageWithMetadata: 4 } as const;

const IMAGE_FORMATS: Record<number, 'image/jpeg' | 'image/png'> = { 1: 'image/jpeg', 2: 'image/png' };

const previewMetadataSchema = z.object({
  node_id: optionalId,
  display_node_id: optionalId,
  prompt_id: z.string().nullish(),
  image_type: z.enum(['image/jpeg', 'image/png']).catch('image/jpeg'),
});

/**
 * A binary frame: 4-byte big-endian event type, then the payload. Type 1 is a preview with a
 * 4-byte format; type 4 a preview with JSON metadata (prompt and node ids); type 3 (progress
 * text) and anything else are ignored.
 */
export function decodeBinaryFrame(frame: Buffer): Extract<ComfyMessage, { type: 'preview' }> | undefined {
  if (frame.length < 8) return undefined;
  const event = frame.readUInt32BE(0);
  if (event === BINARY_EVENT.previewImage) {
    const mime = IMAGE_FORMATS[frame.readUInt32BE(4)];
    if (!mime) return undefined;
    return { type: 'preview', promptId: undefined, node: undefined, mime, image: frame.subarray(8) };
  }
  if (event === BINARY_EVENT.previewImageWithMetadata) {
    const length = frame.readUInt32BE(4);
    if (8 + length > frame.length) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(frame.subarray(8, 8 + length).toString('utf8'));
    } catch {
      return undefined;
    }
    const metadata = previewMetadataSchema.safeParse(json);
    if (!metadata.success) return undefined;
    return {
      type: 'preview',
      promptId: metadata.data.prompt_id ?? undefined,
      node: metadata.data.display_node_id ?? metadata.data.node_id,
      mime: metadata.data.image_type,
      image: frame.subarray(8 + length),
    };
  }
  return undefined;
}

/** The prompt a message belongs to, when it says so. */
export function promptIdOf(message: ComfyMessage): string | undefined {
  return 'promptId' in message ? message.promptId : undefined;
}
