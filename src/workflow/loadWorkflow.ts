import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { type Binding, bindingSchema } from './bindingSchema.ts';
import { checkBinding } from './checkBinding.ts';
import { type ApiGraph, apiGraphSchema } from './graph.ts';

/** A graph template and how job parameters bind to it, checked against each other. */
export type LoadedWorkflow = {
  name: string;
  graph: ApiGraph;
  binding: Binding;
};

/**
 * Load `<dir>/<name>.json` (API format) and `<dir>/<name>.binding.json`. Throws one
 * multi-line message naming the file, node and input of every problem found.
 */
export async function loadWorkflow(dir: string, name: string): Promise<LoadedWorkflow> {
  const graphPath = join(dir, `${name}.json`);
  const bindingPath = join(dir, `${name}.binding.json`);
  const graph = parseFile(graphPath, await readJson(graphPath), apiGraphSchema, 'graph');
  const binding = parseFile(bindingPath, await readJson(bindingPath), bindingSchema, 'binding');
  const problems = checkBinding(graph, binding);
  if (problems.length > 0) {
    throw new Error(`${bindingPath} does not fit ${graphPath}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return { name, graph, binding };
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read workflow file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function parseFile<T>(path: string, raw: unknown, schema: z.ZodType<T>, what: string): T {
  if (what === 'graph' && isFrontendFormat(raw)) {
    throw new Error(`${path} is in the UI format (nodes and links arrays); export it with "Save (API)" instead`);
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || '(file)'}: ${issue.message}`);
  throw new Error(`${path} is not a valid ${what}:\n${lines.join('\n')}`);
}

function isFrontendFormat(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && Array.isArray((raw as { nodes?: unknown }).nodes);
}
