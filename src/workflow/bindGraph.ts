import type { Stage } from './stages.ts';
import type { ParamName } from './bindingSchema.ts';
import { type ApiGraph, isLink, type Link, resolveNodeRef } from './graph.ts';
import type { LoadedWorkflow } from './loadWorkflow.ts';

/** A graph ready for `POST /prompt`, and what the worker needs to follow it. */
export type BoundWorkflow = {
  prompt: ApiGraph;
  /** The node whose UI output (`gifs`) carries the video. */
  outputNodeId: string;
  /** Node id → progress stage, for the nodes that are still in the graph. */
  nodeStages: Record<string, Stage>;
};

export type ParamValues = Partial<Record<ParamName, unknown>>;

function idOf(graph: ApiGraph, ref: string): string {
  const found = resolveNodeRef(graph, ref);
  // loadWorkflow checked every reference; reaching this means the workflow was built by hand.
  if (!found.ok) throw new Error(`Workflow binding refers to a missing node: ${found.reason}`);
  return found.id;
}

/**
 * Bind `values` onto a copy of the template (the template is never touched). Optional
 * nodes whose parameter is unset are removed, and every link that pointed at one is
 * rewired to what fed its pass-through input, so ComfyUI never sees a dummy value.
 * A parameter without a value keeps the template's value (or the binding's default).
 */
export function bindGraph(workflow: LoadedWorkflow, values: ParamValues): BoundWorkflow {
  const { binding } = workflow;
  const graph = structuredClone(workflow.graph);

  const bypass = new Map<string, { link: Link; output: number }>();
  for (const optional of binding.optional) {
    if (values[optional.param] !== undefined && values[optional.param] !== null) continue;
    const id = idOf(graph, optional.node);
    const link = graph[id]?.inputs[optional.passThrough];
    if (!isLink(link)) throw new Error(`Optional node #${id} has no link on "${optional.passThrough}" to rewire through`);
    bypass.set(id, { link, output: optional.output });
  }

  for (const [param, targets] of Object.entries(binding.params) as Array<[ParamName, typeof binding.params[ParamName]]>) {
    const value = values[param] ?? binding.defaults[param];
    if (value === undefined || value === null || !targets) continue;
    for (const target of targets) {
      const id = idOf(graph, target.node);
      const node = graph[id];
      if (!node || bypass.has(id)) continue;
      const bound = target.field === undefined ? value : (value as Record<string, unknown>)[target.field];
      if (bound === undefined) throw new Error(`Parameter ${param} has no field "${target.field}" for node #${id} input "${target.input}"`);
      node.inputs[target.input] = bound;
    }
  }

  const follow = (link: Link, seen: Set<string> = new Set()): Link => {
    const removed = bypass.get(link[0]);
    if (!removed) return link;
    if (link[1] !== removed.output) throw new Error(`Cannot remove node #${link[0]}: something uses its output ${link[1]}, which has no pass-through`);
    if (seen.has(link[0])) throw new Error(`Optional nodes form a loop at #${link[0]}`);
    seen.add(link[0]);
    return follow(removed.link, seen);
  };
  for (const id of bypass.keys()) delete graph[id];
  for (const node of Object.values(graph)) {
    for (const [input, value] of Object.entries(node.inputs)) {
      if (isLink(value) && bypass.has(value[0])) node.inputs[input] = [...follow(value)];
    }
  }

  const nodeStages: Record<string, Stage> = {};
  for (const [ref, stage] of Object.entries(binding.stages)) {
    const id = idOf(workflow.graph, ref);
    if (!bypass.has(id)) nodeStages[id] = stage;
  }
  return { prompt: graph, outputNodeId: idOf(graph, binding.output), nodeStages };
}
