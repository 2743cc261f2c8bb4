/**
 * The API-format graph as `/prompt` takes it: `{ "<nodeId>": { class_type, inputs, _meta } }`.
 * Kept loose on purpose: the workflow module owns the shape of its templates; the client only
 * needs ids, classes and titles (to word errors) and to fill in missing `_meta`.
 */
export type ApiNode = {
  class_type: string;
  inputs: Record<string, unknown>;
  _meta?: { title?: string | undefined } | undefined;
};

export type ApiGraph = Record<string, ApiNode>;

/** The title an admin sees in ComfyUI for this node: `_meta.title`, else its class, else `#id`. */
export function nodeTitle(graph: ApiGraph | undefined, nodeId: string | undefined, classType?: string): string | undefined {
  if (nodeId === undefined) return classType;
  const node = graph?.[nodeId];
  return node?._meta?.title ?? node?.class_type ?? classType ?? `#${nodeId}`;
}

/**
 * A copy of the graph with `_meta.title` on every node (ComfyUI's newer node-replacement pass
 * reads it, and titles make its errors readable) and `inputs` always present.
 */
export function withTitles(graph: ApiGraph): ApiGraph {
  const titled: ApiGraph = {};
  for (const [id, node] of Object.entries(graph)) {
    const title = node._meta?.title ?? node.class_type;
    titled[id] = { ...node, inputs: node.inputs ?? {}, _meta: { ...node._meta, title } };
  }
  return titled;
}
