import type { Binding } from './bindingSchema.ts';
import { REQUIRED_PARAMS } from './bindingSchema.ts';
import { type ApiGraph, isLink, resolveNodeRef, titleOf } from './graph.ts';

/**
 * Every way a binding can disagree with its graph, as lines an owner can act on
 * (node, input, what was expected). Empty when they fit. Pure.
 */
export function checkBinding(graph: ApiGraph, binding: Binding): string[] {
  const problems: string[] = [];
  const describe = (id: string) => `node #${id} "${titleOf(graph, id)}" (${graph[id]?.class_type})`;

  const resolve = (ref: string, where: string): string | undefined => {
    const found = resolveNodeRef(graph, ref);
    if (found.ok) return found.id;
    problems.push(`${where}: ${found.reason}`);
    return undefined;
  };

  for (const [ref, expected] of Object.entries(binding.classes)) {
    const id = resolve(ref, `classes."${ref}"`);
    const actual = id === undefined ? undefined : graph[id]?.class_type;
    const accepted = typeof expected === 'string' ? [expected] : expected;
    if (id !== undefined && (actual === undefined || !accepted.includes(actual))) {
      problems.push(`classes."${ref}": ${describe(id)} is a ${actual}, the binding expects a ${accepted.join(' or a ')}`);
    }
  }

  for (const [param, targets] of Object.entries(binding.params)) {
    targets?.forEach((target, index) => {
      const where = `params.${param}[${index}]`;
      const id = resolve(target.node, where);
      const node = id === undefined ? undefined : graph[id];
      if (id === undefined || node === undefined) return;
      if (!Object.hasOwn(node.inputs, target.input)) {
        const known = Object.keys(node.inputs).join(', ');
        problems.push(`${where}: ${describe(id)} has no input "${target.input}" (it has: ${known})`);
      } else if (isLink(node.inputs[target.input])) {
        problems.push(`${where}: input "${target.input}" of ${describe(id)} is a link; a parameter can only replace a value`);
      }
    });
  }

  for (const param of REQUIRED_PARAMS[binding.kind]) {
    if (!binding.params[param]) problems.push(`params.${param}: a ${binding.kind} workflow must bind it, or the job's ${param} would be ignored`);
  }

  binding.optional.forEach((optional, index) => {
    const where = `optional[${index}]`;
    const id = resolve(optional.node, where);
    const node = id === undefined ? undefined : graph[id];
    if (id === undefined || node === undefined) return;
    if (!isLink(node.inputs[optional.passThrough])) {
      problems.push(`${where}: input "${optional.passThrough}" of ${describe(id)} must be a link, to rewire around the node when it is left out`);
    }
    if (!binding.params[optional.param]) problems.push(`${where}: its parameter "${optional.param}" is not bound in params`);
  });

  const outputId = resolve(binding.output, 'output');
  const optionalIds = new Set(binding.optional.flatMap((optional) => {
    const found = resolveNodeRef(graph, optional.node);
    return found.ok ? [found.id] : [];
  }));
  if (outputId !== undefined && optionalIds.has(outputId)) problems.push(`output: ${describe(outputId)} is optional and could be removed`);

  for (const ref of Object.keys(binding.stages)) resolve(ref, `stages."${ref}"`);

  for (const [id, node] of Object.entries(graph)) {
    for (const [input, value] of Object.entries(node.inputs)) {
      if (isLink(value) && !Object.hasOwn(graph, value[0])) {
        problems.push(`graph: input "${input}" of ${describe(id)} links to node #${value[0]}, which is not in the graph`);
      }
    }
  }
  return problems;
}
