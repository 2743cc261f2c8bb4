import { type ApiGraph, isLink, titleOf } from './graph.ts';

/**
 * Check a bound graph against a node catalogue (`GET /object_info`), the way ComfyUI's
 * own validation would: every class exists, every set input is declared (VHS format
 * options included), links point at real outputs of the right type, numbers are inside
 * min/max and combo values are offered. Returns every problem; empty when it fits.
 */

export type InputSpec = readonly unknown[];
export type NodeSpec = {
  input: { required?: Record<string, InputSpec>; optional?: Record<string, InputSpec> };
  output: readonly string[];
};
export type Catalogue = Record<string, NodeSpec>;

/** Inputs whose node validates the value itself (any existing file path), so the combo is not checked. */
const SELF_VALIDATED = new Set(['LoadImage.image', 'VHS_LoadVideo.video']);

/** The options of a combo: V1 puts the list in slot 0, V3 says "COMBO" with `options`. */
export function comboOptions(spec: InputSpec | undefined): string[] | undefined {
  if (!spec) return undefined;
  const [type, config] = spec;
  if (Array.isArray(type)) return type.map(String);
  if (type === 'COMBO' && config && typeof config === 'object') {
    const options = (config as { options?: unknown }).options;
    return Array.isArray(options) ? options.map(String) : [];
  }
  return undefined;
}

/** VHS_VideoCombine declares its format's own options (pix_fmt, crf, ...) under `formats`. */
function formatExtras(spec: NodeSpec, format: unknown): string[] {
  const formats = (spec.input.required?.format?.[1] as { formats?: Record<string, unknown[][]> } | undefined)?.formats;
  const extras = typeof format === 'string' ? formats?.[format] : undefined;
  return (extras ?? []).map((entry) => String(entry[0]));
}

export function checkGraph(graph: ApiGraph, catalogue: Catalogue): string[] {
  const problems: string[] = [];
  for (const [id, node] of Object.entries(graph)) {
    const where = `node #${id} "${titleOf(graph, id)}"`;
    const spec = catalogue[node.class_type];
    if (!spec) {
      problems.push(`${where}: class ${node.class_type} is not installed`);
      continue;
    }
    const declared = { ...spec.input.required, ...spec.input.optional };
    const extras = formatExtras(spec, node.inputs.format);
    for (const name of Object.keys(spec.input.required ?? {})) {
      if (!Object.hasOwn(node.inputs, name)) problems.push(`${where}: required input "${name}" is missing`);
    }
    for (const [name, value] of Object.entries(node.inputs)) {
      const inputSpec = declared[name];
      if (!inputSpec) {
        if (!extras.includes(name)) problems.push(`${where}: ${node.class_type} has no input "${name}"`);
        continue;
      }
      const problem = isLink(value) ? checkLink(graph, catalogue, value, inputSpec) : checkValue(`${node.class_type}.${name}`, value, inputSpec);
      if (problem) problems.push(`${where}, input "${name}": ${problem}`);
    }
  }
  return problems;
}

function checkLink(graph: ApiGraph, catalogue: Catalogue, [source, index]: readonly [string, number], spec: InputSpec): string | undefined {
  const sourceNode = graph[source];
  if (!sourceNode) return `links to node #${source}, which is not in the graph`;
  const outputs = catalogue[sourceNode.class_type]?.output;
  if (!outputs) return undefined; // the missing class is reported on its own node
  const type = outputs[index];
  if (type === undefined) return `links to output ${index} of #${source}, which has only ${outputs.length}`;
  const wanted = spec[0];
  if (typeof wanted !== 'string' || wanted === '*' || wanted === type) return undefined;
  // FLOAT-or-INT inputs (VHS frame_rate) take either number type.
  if ((wanted === 'FLOAT' || wanted === 'INT') && (type === 'FLOAT' || type === 'INT')) return undefined;
  if (wanted === 'COMBO' || Array.isArray(wanted)) return undefined;
  return `gets ${type} from #${source}, expects ${wanted}`;
}

function checkValue(key: string, value: unknown, spec: InputSpec): string | undefined {
  const options = comboOptions(spec);
  if (options) {
    if (SELF_VALIDATED.has(key)) return undefined;
    return options.includes(String(value)) ? undefined : `"${String(value)}" is not one of the offered values`;
  }
  const [type, config] = spec as [unknown, { min?: number; max?: number } | undefined];
  if (type === 'INT' || type === 'FLOAT') {
    if (typeof value !== 'number' || (type === 'INT' && !Number.isInteger(value))) return `${JSON.stringify(value)} is not ${type === 'INT' ? 'an integer' : 'a number'}`;
    if (config?.min !== undefined && value < config.min) return `${value} is below the minimum ${config.min}`;
    if (config?.max !== undefined && value > config.max) return `${value} is above the maximum ${config.max}`;
  }
  if (type === 'BOOLEAN' && typeof value !== 'boolean') return `${JSON.stringify(value)} is not a JSON boolean`;
  if (type === 'STRING' && typeof value !== 'string') return `${JSON.stringify(value)} is not a string`;
  return undefined;
}
