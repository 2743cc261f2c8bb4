import type { z } from 'zod';
import { fail, ok, type Result } from '../errors.ts';
import { requestedOptionsSchema, type RequestedOptions } from './jobOptions.ts';

/**
 * The stored job's own constraints on the options, checked before anything is public and
 * worded for the member. It parses with the schema the queue stores the job with, so an
 * option accepted here cannot fail the enqueue later.
 */

const FIELD_WORDS: Record<string, string> = {
  prompt: 'Your prompt',
  negative: 'Your negative prompt',
  preset: 'The preset name',
  frames: 'Frames',
  aspect: 'Aspect',
  width: 'Width',
  height: 'Height',
  steps: 'Steps',
  cfg: 'CFG',
  seed: 'Seed',
  'loraHigh.name': 'The high-noise LoRA name',
  'loraHigh.strength': 'The high-noise LoRA strength',
  'loraLow.name': 'The low-noise LoRA name',
  'loraLow.strength': 'The low-noise LoRA strength',
};

const HINTS: Record<string, string> = {
  seed: ', or leave it empty for a random seed',
};

const codeFor = (path: string, what: string) => `${path.replace(/\.(\w)/g, (_, c: string) => `_${c}`).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_${what}`;

/** The schema a path points at, unwrapped from optional/default, to quote its full range. */
function schemaAt(path: PropertyKey[]): z.ZodType | undefined {
  let schema: unknown = requestedOptionsSchema;
  for (const key of path) {
    schema = unwrap(schema);
    const shape = (schema as { shape?: Record<PropertyKey, unknown> }).shape;
    schema = shape?.[key];
  }
  return unwrap(schema) as z.ZodType | undefined;
}

function unwrap(schema: unknown): unknown {
  let current = schema as { unwrap?: () => unknown; removeDefault?: () => unknown; def?: { innerType?: unknown } } | undefined;
  while (current?.def?.innerType) current = current.def.innerType as typeof current;
  return current;
}

function valueAt(options: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((value, key) => (value as Record<PropertyKey, unknown> | undefined)?.[key], options);
}

function describe(issue: z.core.$ZodIssue, options: unknown): Result<never> {
  const path = issue.path.join('.');
  const words = FIELD_WORDS[path] ?? `The option ${path}`;
  const value = valueAt(options, issue.path);
  const schema = schemaAt(issue.path) as { minValue?: number | null; maxValue?: number | null; isInt?: boolean; maxLength?: number | null } | undefined;
  if (typeof value === 'string' && schema?.maxLength != null && value.length > schema.maxLength) {
    return fail(codeFor(path, 'too_long'), `${words} is ${value.length} characters long; the limit is ${schema.maxLength}. Shorten it and send the command again.`);
  }
  if (typeof value === 'number' && schema) {
    const kind = schema.isInt ? 'a whole number' : 'a number';
    // int() alone bounds a number by the safe integers; that is no range worth quoting.
    const bounded = (bound: number | null | undefined): bound is number => bound != null && Math.abs(bound) < Number.MAX_SAFE_INTEGER;
    const range = bounded(schema.minValue) || bounded(schema.maxValue) ? ` between ${schema.minValue} and ${schema.maxValue}` : '';
    return fail(codeFor(path, 'out_of_range'), `${words} ${value} is not allowed: choose ${kind}${range}${HINTS[path] ?? ''}.`);
  }
  return fail(codeFor(path, 'invalid'), `${words} is not allowed here (${issue.message}).`);
}

/** Parse the options with the stored job's schema; the first problem becomes a member's answer. */
export function checkRequestedOptions(options: z.input<typeof requestedOptionsSchema>): Result<RequestedOptions> {
  const parsed = requestedOptionsSchema.safeParse(options);
  if (parsed.success) return ok(parsed.data);
  return describe(parsed.error.issues[0]!, options);
}
