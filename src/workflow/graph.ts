import { z } from 'zod';
import type { ApiGraph, ApiNode } from '../comfy/graph.ts';

/** One graph type for the client and the templates; the schema here checks template files against it. */
export type { ApiGraph, ApiNode };

/**
 * ComfyUI's API format ("Save (API)"): node id → node. A link is
 * `["<sourceNodeId>", <outputIndex>]`; anything else in `inputs` is a value.
 */

export const linkSchema = z.tuple([z.string(), z.number().int().nonnegative()]);
export type Link = z.infer<typeof linkSchema>;

export const apiNodeSchema = z.object({
  class_type: z.string().min(1),
  inputs: z.record(z.string(), z.unknown()),
  _meta: z.object({ title: z.string() }).loose().optional(),
}) satisfies z.ZodType<ApiNode>;

export const apiGraphSchema = z
  .record(z.string().regex(/^[^\s]+$/, 'node ids are strings without spaces'), apiNodeSchema)
  .refine((graph) => Object.keys(graph).length > 0, 'the graph has no nodes') satisfies z.ZodType<ApiGraph>;

export function isLink(value: unknown): value is Link {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'string' &&
    typeof value[1] === 'number' &&
    Number.isInteger(value[1])
  );
}

export function titleOf(graph: ApiGraph, nodeId: string): string {
  return graph[nodeId]?._meta?.title ?? `#${nodeId}`;
}

/**
 * A binding names nodes by id or by `_meta.title`, so an owner's own graph can be
 * renumbered freely. An id wins over a title; a title must name exactly one node.
 */
export function resolveNodeRef(graph: ApiGraph, ref: string): { ok: true; id: string } | { ok: false; reason: string } {
  if (Object.hasOwn(graph, ref)) return { ok: true, id: ref };
  const matches = Object.entries(graph)
    .filter(([, node]) => node._meta?.title === ref)
    .map(([id]) => id);
  if (matches.length === 1 && matches[0] !== undefined) return { ok: true, id: matches[0] };
  if (matches.length === 0) return { ok: false, reason: `no node has id or title "${ref}"` };
  return { ok: false, reason: `the title "${ref}" names ${matches.length} nodes (${matches.map((id) => `#${id}`).join(', ')}); titles must be unique` };
}
