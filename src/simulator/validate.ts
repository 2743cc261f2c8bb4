import { nodeInfo, returnTypes, type CatalogueContext, type NodeInfo } from './catalogue.ts';
import type { JsonObject, PromptGraph } from './types.ts';

/**
 * POST /prompt validation, following ComfyUI's execution.validate_prompt step by step so
 * the 400 bodies match the recordings (05, 11): whole-graph checks first, then a recursive
 * walk from each output node with a memo, errors filed under the node that owns them.
 */
export type ValidationError = { type: string; message: string; details: string; extra_info: JsonObject };
export type NodeErrors = Record<string, { errors: ValidationError[]; dependent_outputs: string[]; class_type: string }>;
export type ValidationResult =
  | { ok: true; prompt: PromptGraph; outputs: string[]; nodeErrors: NodeErrors }
  | { ok: false; error: ValidationError; nodeErrors: NodeErrors };

export type ValidationContext = {
  catalogue: CatalogueContext;
  unknownNodeErrorStyle: 'invalid_prompt' | 'missing_node_type';
  /** Whether an annotated path ("x.png", "sub/x.mp4 [output]") names an existing file. */
  fileExists: (annotated: string) => boolean;
};

/** Raised where Python would raise; reported as exception_during_(inner_)validation. */
class PyError extends Error {
  readonly pyType: string;
  readonly traceback: string[];
  constructor(pyType: string, message: string, traceback: string[]) {
    super(message);
    this.pyType = pyType;
    this.traceback = traceback;
  }
}

const innerTraceback = [
  '  File "/srv/ComfyUI/execution.py", line 838, in validate_inputs\n    r = await validate_inputs(prompt_id, prompt, o_id, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n',
  "  File \"/srv/ComfyUI/execution.py\", line 818, in validate_inputs\n    o_class_type = prompt[o_id]['class_type']\n                   ~~~~~~^^^^^^\n",
];

const graphError = (type: string, message: string, details: string, extra: JsonObject = {}): ValidationResult => ({
  ok: false,
  error: { type, message, details, extra_info: extra },
  nodeErrors: {},
});

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const pyStr = (v: unknown): string =>
  typeof v === 'string' ? v : v === null ? 'None' : typeof v === 'boolean' ? (v ? 'True' : 'False') : JSON.stringify(v);
const pyRepr = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : pyStr(v));
const listRepr = (list: unknown[]): string => `[${list.map(pyRepr).join(', ')}]`;

function coerce(type: string, val: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (type === 'INT') {
    if (typeof val === 'number') return { ok: true, value: Math.trunc(val) };
    if (typeof val === 'boolean') return { ok: true, value: val ? 1 : 0 };
    if (typeof val === 'string' && /^\s*[-+]?\d+\s*$/.test(val)) return { ok: true, value: Number.parseInt(val, 10) };
    if (typeof val === 'string') return { ok: false, message: `invalid literal for int() with base 10: '${val}'` };
    return { ok: false, message: `int() argument must be a string, a bytes-like object or a real number, not '${pyType(val)}'` };
  }
  if (type === 'FLOAT') {
    if (typeof val === 'number') return { ok: true, value: val };
    if (typeof val === 'boolean') return { ok: true, value: val ? 1 : 0 };
    if (typeof val === 'string' && val.trim() !== '' && Number.isFinite(Number(val))) return { ok: true, value: Number(val) };
    if (typeof val === 'string') return { ok: false, message: `could not convert string to float: '${val}'` };
    return { ok: false, message: `float() argument must be a string or a real number, not '${pyType(val)}'` };
  }
  if (type === 'STRING') return { ok: true, value: pyStr(val) };
  if (type === 'BOOLEAN') return { ok: true, value: Boolean(val) && val !== 0 && val !== '' };
  return { ok: true, value: val };
}

function pyType(v: unknown): string {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'dict';
  return typeof v === 'string' ? 'str' : typeof v === 'number' ? 'float' : 'bool';
}

function typesMatch(received: string, expected: unknown): boolean {
  if (typeof expected !== 'string') return received === 'COMBO';
  if (received === '*' || expected === '*') return true;
  const a = new Set(received.split(','));
  return expected.split(',').some((t) => a.has(t));
}

/** Classes whose VALIDATE_INPUTS replaces the combo check with a file-exists check. */
const fileInputs: Record<string, { input: string; noun: string }> = {
  LoadImage: { input: 'image', noun: 'image' },
  VHS_LoadVideo: { input: 'video', noun: 'video' },
};

export function validatePrompt(raw: JsonObject, ctx: ValidationContext): ValidationResult {
  const prompt = structuredClone(raw) as Record<string, JsonObject>;
  const infos = new Map<string, NodeInfo>();
  const outputs: string[] = [];
  for (const [id, node] of Object.entries(prompt)) {
    if (!isObject(node) || !('class_type' in node)) {
      const title = isObject(node) && isObject(node._meta) ? node._meta.title : undefined;
      return ctx.unknownNodeErrorStyle === 'missing_node_type'
        ? graphError(
            'missing_node_type',
            `Node '${typeof title === 'string' ? title : `ID #${id}`}' has no class_type. The workflow may be corrupted or a custom node is missing.`,
            `Node ID '#${id}'`,
            { node_id: id, class_type: null, node_title: title ?? null },
          )
        : graphError('invalid_prompt', 'Cannot execute because a node is missing the class_type property.', `Node ID '#${id}'`);
    }
    const classType = String(node.class_type);
    const info = nodeInfo(ctx.catalogue, classType);
    if (!info) {
      const title = isObject(node._meta) && typeof node._meta.title === 'string' ? node._meta.title : classType;
      return ctx.unknownNodeErrorStyle === 'missing_node_type'
        ? graphError('missing_node_type', `Node '${title}' not found. The custom node may not be installed.`, `Node ID '#${id}'`, {
            node_id: id,
            class_type: classType,
            node_title: title,
          })
        : graphError('invalid_prompt', `Cannot execute because node ${classType} does not exist.`, `Node ID '#${id}'`);
    }
    infos.set(id, info);
    if (info.output_node) outputs.push(id);
  }
  if (outputs.length === 0) return graphError('prompt_no_outputs', 'Prompt has no outputs', '');

  type Verdict = [boolean, ValidationError[], string];
  const validated = new Map<string, Verdict>();
  const inProgress = new Set<string>();

  const validateInputs = (id: string): Verdict => {
    const memo = validated.get(id);
    if (memo) return memo;
    // A cycle recurses until Python's stack gives out; the error then lands on an inner
    // frame and is overwritten on the way out, so the output is dropped without a reason.
    if (inProgress.has(id)) throw new PyError('RecursionError', 'maximum recursion depth exceeded', []);
    inProgress.add(id);
    try {
      return validateNode(id);
    } finally {
      inProgress.delete(id);
    }
  };

  const validateNode = (id: string): Verdict => {
    const node = prompt[id];
    if (!node || !isObject(node.inputs)) throw new PyError('KeyError', "'inputs'", []);
    const inputs = node.inputs;
    const classType = String(node.class_type);
    const info = infos.get(id) ?? nodeInfo(ctx.catalogue, classType);
    if (!info) throw new PyError('KeyError', `'${classType}'`, []);
    const errors: ValidationError[] = [];
    let valid = true;
    const fileInput = fileInputs[classType];
    const sections = [
      ['required', info.input.required ?? {}],
      ['optional', info.input.optional ?? {}],
    ] as const;
    for (const [category, specs] of sections) {
      for (const [x, spec] of Object.entries(specs)) {
        const inputType = spec[0];
        const extra = spec[1] ?? {};
        const inputConfig = [inputType, extra];
        if (!(x in inputs)) {
          if (category === 'required')
            errors.push({ type: 'required_input_missing', message: 'Required input is missing', details: x, extra_info: { input_name: x } });
          continue;
        }
        let val = inputs[x];
        if (Array.isArray(val)) {
          if (val.length !== 2) {
            errors.push({
              type: 'bad_linked_input',
              message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]',
              details: x,
              extra_info: { input_name: x, input_config: inputConfig, received_value: val },
            });
            continue;
          }
          const [linkId, slot] = val as [unknown, unknown];
          const linked = typeof linkId === 'string' ? prompt[linkId] : undefined;
          if (!linked) throw new PyError('KeyError', pyRepr(linkId), innerTraceback);
          const types = returnTypes(String(linked.class_type)) ?? [];
          const receivedType = typeof slot === 'number' ? types[slot] : undefined;
          if (receivedType === undefined) throw new PyError('IndexError', 'tuple index out of range', innerTraceback);
          if (!typesMatch(receivedType, inputType)) {
            errors.push({
              type: 'return_type_mismatch',
              message: 'Return type mismatch between linked nodes',
              details: `${x}, received_type(${receivedType}) mismatch input_type(${pyStr(inputType)})`,
              extra_info: { input_name: x, input_config: inputConfig, received_type: receivedType, linked_node: val },
            });
            continue;
          }
          try {
            const verdict = validateInputs(linkId as string);
            if (!verdict[0]) valid = false;
          } catch (error) {
            const ex = error instanceof PyError ? error : new PyError('Exception', String(error), []);
            valid = false;
            validated.set(linkId as string, [
              false,
              [
                {
                  type: 'exception_during_inner_validation',
                  message: 'Exception when validating inner node',
                  details: ex.message,
                  extra_info: {
                    input_name: x,
                    input_config: inputConfig,
                    exception_message: ex.message,
                    exception_type: ex.pyType,
                    traceback: ex.traceback,
                    linked_node: val,
                  },
                },
              ],
              linkId as string,
            ]);
          }
          continue;
        }
        if (typeof inputType === 'string') {
          const coerced = coerce(inputType, val);
          if (!coerced.ok) {
            errors.push({
              type: 'invalid_input_type',
              message: `Failed to convert an input value to a ${inputType} value`,
              details: `${x}, ${pyStr(val)}, ${coerced.message}`,
              extra_info: { input_name: x, input_config: inputConfig, received_value: val, exception_message: coerced.message },
            });
            continue;
          }
          val = coerced.value;
          inputs[x] = val;
        }
        if (fileInput?.input === x) continue;
        if (typeof extra.min === 'number' && typeof val === 'number' && val < extra.min) {
          errors.push({
            type: 'value_smaller_than_min',
            message: `Value ${pyStr(val)} smaller than min of ${pyStr(extra.min)}`,
            details: x,
            extra_info: { input_name: x, input_config: inputConfig, received_value: val },
          });
          continue;
        }
        if (typeof extra.max === 'number' && typeof val === 'number' && val > extra.max) {
          errors.push({
            type: 'value_bigger_than_max',
            message: `Value ${pyStr(val)} bigger than max of ${pyStr(extra.max)}`,
            details: x,
            extra_info: { input_name: x, input_config: inputConfig, received_value: val },
          });
          continue;
        }
        // V3 combos were not checked before 0.8.0: a wrong name failed only at run time.
        const options = Array.isArray(inputType)
          ? inputType
          : inputType === 'COMBO' && ctx.catalogue.version !== '0.3.65' && Array.isArray(extra.options)
            ? extra.options
            : undefined;
        if (options && !options.some((o) => o === val)) {
          const long = options.length > 20;
          errors.push({
            type: 'value_not_in_list',
            message: 'Value not in list',
            details: `${x}: '${pyStr(val)}' not in ${long ? `(list of length ${options.length})` : listRepr(options)}`,
            extra_info: { input_name: x, input_config: long ? null : inputConfig, received_value: val },
          });
          continue;
        }
      }
    }
    if (fileInput && typeof inputs[fileInput.input] === 'string' && !ctx.fileExists(inputs[fileInput.input] as string)) {
      const x = fileInput.input;
      errors.push({
        type: 'custom_validation_failed',
        message: 'Custom validation failed for node',
        details: `${x} - Invalid ${fileInput.noun} file: ${inputs[x] as string}`,
        extra_info: { input_name: x },
      });
    }
    const verdict: Verdict = errors.length > 0 || !valid ? [false, errors, id] : [true, [], id];
    validated.set(id, verdict);
    return verdict;
  };

  const good: string[] = [];
  const ownErrors: ValidationError[] = [];
  const nodeErrors: NodeErrors = {};
  for (const o of outputs) {
    let verdict: Verdict;
    try {
      verdict = validateInputs(o);
    } catch (error) {
      const ex = error instanceof PyError ? error : new PyError('Exception', String(error), []);
      verdict = [
        false,
        [
          {
            type: 'exception_during_validation',
            message: 'Exception when validating node',
            details: ex.message,
            extra_info: { exception_type: ex.pyType, traceback: ex.traceback },
          },
        ],
        o,
      ];
      validated.set(o, verdict);
    }
    if (verdict[0]) {
      good.push(o);
      continue;
    }
    ownErrors.push(...verdict[1]);
    for (const [nodeId, [ok, reasons]] of validated) {
      if (ok || reasons.length === 0) continue;
      nodeErrors[nodeId] ??= { errors: reasons, dependent_outputs: [], class_type: String(prompt[nodeId]?.class_type) };
      nodeErrors[nodeId].dependent_outputs.push(o);
    }
  }
  if (good.length === 0) {
    return {
      ok: false,
      error: {
        type: 'prompt_outputs_failed_validation',
        message: 'Prompt outputs failed validation',
        details: ownErrors.map((e) => `${e.message}: ${e.details}`).join('\n'),
        extra_info: {},
      },
      nodeErrors,
    };
  }
  return { ok: true, prompt: prompt as PromptGraph, outputs: good, nodeErrors };
}
