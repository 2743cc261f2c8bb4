import { createHash } from 'node:crypto';
import type { PromptGraph } from './types.ts';

/**
 * ComfyUI's ExecutionList, reduced to what decides the order of `executing` messages:
 * nodes are staged depth-first from the outputs with an explicit stack, cached inputs are
 * not staged, and among ready nodes ux_friendly_pick_node prefers outputs, then nodes that
 * feed an output directly, then two hops away, then the oldest staged. Reproducing this
 * gives the recorded order (5, 1, 2, 4, 3, 14, ...) for the Wan graph.
 */
export type ExecutionList = {
  /** The next node to run, or undefined when done. */
  next(): string | undefined;
  complete(nodeId: string): void;
};

export const isLink = (value: unknown): value is [string, number] =>
  Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';

export function createExecutionList(
  prompt: PromptGraph,
  outputs: string[],
  isCached: (nodeId: string) => boolean,
  isOutput: (classType: string) => boolean,
): ExecutionList {
  const pending = new Map<string, true>();
  const blockCount = new Map<string, number>();
  const blocking = new Map<string, Set<string>>();

  const addNode = (start: string): void => {
    const stack = [start];
    const links: Array<[string, string]> = [];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      if (pending.has(id)) continue;
      pending.set(id, true);
      blockCount.set(id, 0);
      blocking.set(id, new Set());
      for (const value of Object.values(prompt[id]?.inputs ?? {})) {
        if (!isLink(value)) continue;
        if (!isCached(value[0])) stack.push(value[0]);
        links.push([value[0], id]);
      }
    }
    for (const [from, to] of links) {
      if (isCached(from) || !pending.has(from)) continue;
      const blocked = blocking.get(from) as Set<string>;
      if (blocked.has(to)) continue;
      blocked.add(to);
      blockCount.set(to, (blockCount.get(to) ?? 0) + 1);
    }
  };
  for (const o of outputs) addNode(o);

  const nodeIsOutput = (id: string): boolean => isOutput(prompt[id]?.class_type ?? '');
  const blocks = (id: string): string[] => [...(blocking.get(id) ?? [])];

  return {
    next() {
      const ready = [...pending.keys()].filter((id) => blockCount.get(id) === 0);
      if (ready.length === 0) return undefined;
      return (
        ready.find(nodeIsOutput) ??
        ready.find((id) => blocks(id).some(nodeIsOutput)) ??
        ready.find((id) => blocks(id).some((b) => blocks(b).some(nodeIsOutput))) ??
        ready[0]
      );
    },
    complete(id) {
      pending.delete(id);
      for (const to of blocks(id)) blockCount.set(to, (blockCount.get(to) ?? 1) - 1);
      blocking.delete(id);
    },
  };
}

/**
 * Cache keys like ComfyUI's input-signature cache: a node's class, its IS_CHANGED value
 * and its inputs, with links replaced by the upstream node's key. Equal keys mean the
 * output can be reused.
 */
export function signatures(prompt: PromptGraph, isChanged: (nodeId: string) => string): Map<string, string> {
  const keys = new Map<string, string>();
  const keyOf = (id: string, seen: Set<string>): string => {
    const known = keys.get(id);
    if (known) return known;
    const node = prompt[id];
    if (!node || seen.has(id)) return `missing:${id}`;
    seen.add(id);
    const inputs = Object.keys(node.inputs)
      .sort()
      .map((name) => {
        const value = node.inputs[name];
        return [name, isLink(value) ? ['link', keyOf(value[0], seen), value[1]] : value];
      });
    const key = createHash('sha256')
      .update(JSON.stringify([node.class_type, isChanged(id), inputs]))
      .digest('hex');
    keys.set(id, key);
    return key;
  };
  for (const id of Object.keys(prompt)) keyOf(id, new Set());
  return keys;
}
