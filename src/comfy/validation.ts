import { z } from 'zod';
import type { ValidationProblem } from './errors.ts';
import { nodeTitle, type ApiGraph } from './graph.ts';
import { closestNames } from './modelNames.ts';
import { DEVICE_INPUTS, diskFoldersOf, modelFolderFor, nodePacksFor } from './nodePacks.ts';

/**
 * Pure: turn the body of a 400 from `POST /prompt` into problems worded for an admin.
 * Shapes follow the recordings (05-prompt-validation-errors, 11-wan-i2v) of v0.3.65 and v0.8.0,
 * plus the post-0.8.0 `missing_node_type` style from the protocol notes.
 */

const errorDetailSchema = z.object({
  type: z.string().default('unknown'),
  message: z.string().default(''),
  details: z.string().default(''),
  extra_info: z.record(z.string(), z.unknown()).nullish(),
});

const validationBodySchema = z.object({
  error: z.union([errorDetailSchema, z.string().transform((message) => ({ type: 'unknown', message, details: '', extra_info: {} }))]),
  node_errors: z
    .record(
      z.string(),
      z.object({
        errors: z.array(errorDetailSchema).default([]),
        class_type: z.string().optional(),
      }),
    )
    .default({}),
});

type ErrorDetail = z.infer<typeof errorDetailSchema>;

export type ParsedValidation = { errorType: string; problems: ValidationProblem[] };

export function parseValidationBody(body: string, graph?: ApiGraph): ParsedValidation {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { errorType: 'unknown', problems: [wholeGraph('unknown', `ComfyUI refused the workflow: ${body.slice(0, 300)}`)] };
  }
  const parsed = validationBodySchema.safeParse(json);
  if (!parsed.success) {
    return { errorType: 'unknown', problems: [wholeGraph('unknown', `ComfyUI refused the workflow: ${body.slice(0, 300)}`)] };
  }
  const { error, node_errors: nodeErrors } = parsed.data;
  const problems: ValidationProblem[] = [];
  for (const [nodeId, nodeError] of Object.entries(nodeErrors)) {
    const classType = nodeError.class_type ?? graph?.[nodeId]?.class_type;
    const title = nodeTitle(graph, nodeId, classType);
    for (const detail of nodeError.errors) {
      const inputName = stringField(detail.extra_info, 'input_name');
      problems.push({ nodeId, classType, title, inputName, type: detail.type, message: `${title}: ${describeInputError(detail, classType, inputName)}` });
    }
  }
  if (problems.length === 0) problems.push(graphProblem(error, graph));
  return { errorType: error.type, problems };
}

function wholeGraph(type: string, message: string): ValidationProblem {
  return { nodeId: undefined, classType: undefined, title: undefined, type, message };
}

/** Problems that concern the graph as a whole (no per-node errors in the body). */
function graphProblem(error: ErrorDetail, graph: ApiGraph | undefined): ValidationProblem {
  const nodeId = stringField(error.extra_info, 'node_id') ?? /Node ID '#([^']+)'/.exec(error.details)?.[1];
  const fromMessage = /node (\S+) does not exist/.exec(error.message)?.[1];
  const classType = stringField(error.extra_info, 'class_type') ?? fromMessage ?? (nodeId ? graph?.[nodeId]?.class_type : undefined);
  const title = nodeId === undefined ? undefined : (stringField(error.extra_info, 'node_title') ?? nodeTitle(graph, nodeId, classType));
  const prefix = title ? `${title}: ` : '';
  const missingClassType =
    error.message.includes('missing the class_type') || (error.type === 'missing_node_type' && classType === undefined);
  if (missingClassType) {
    const message = `${prefix}node ${nodeId ?? '?'} has no class_type (is this a UI-format workflow? export it with "Save (API)")`;
    return { nodeId, classType: undefined, title, type: error.type, message };
  }
  if (error.type === 'missing_node_type' || (error.type === 'invalid_prompt' && fromMessage)) {
    return { nodeId, classType, title, type: error.type, message: `${prefix}${missingNodeMessage(classType ?? 'unknown')}` };
  }
  switch (error.type) {
    case 'prompt_no_outputs':
      return wholeGraph(error.type, 'the workflow has no output node (e.g. VHS_VideoCombine or SaveImage), so ComfyUI would run nothing');
    case 'no_prompt':
      return wholeGraph(error.type, 'the request carried no workflow ("prompt" was missing)');
    default: {
      const text = [error.message, error.details].filter((part) => part.length > 0).join(': ');
      return { nodeId, classType, title, type: error.type, message: `${prefix}${text || error.type}` };
    }
  }
}

export function missingNodeMessage(classType: string): string {
  const packs = nodePacksFor(classType);
  const install = packs.length > 0 ? packs.join(' and ') : 'the custom node pack that provides it';
  return `node type ${classType} is missing: install ${install}`;
}

function describeInputError(detail: ErrorDetail, classType: string | undefined, inputName: string | undefined): string {
  const info = detail.extra_info ?? {};
  const input = inputName ?? detail.details.split(/[,:]/)[0] ?? '?';
  const received = info['received_value'];
  switch (detail.type) {
    case 'value_not_in_list': {
      const value = received ?? /'(.*)' not in/.exec(detail.details)?.[1];
      const folder = modelFolderFor(classType, input);
      if (folder) {
        // The refusal carries the combo's choices: the folder as ComfyUI lists it right now.
        const listed = comboChoices(info['input_config']);
        const closest = listed && typeof value === 'string' ? closestNames([value], listed) : [];
        const hint =
          closest.length > 0
            ? `; did you mean ${closest.map((name) => `'${name}'`).join(' or ')}?`
            : listed?.length === 0
              ? `; ${diskFoldersOf(folder)} holds none`
              : listed
                ? `; installed: ${listed.slice(0, 3).join(', ')}${listed.length > 3 ? `, … ${listed.length - 3} more` : ''}`
                : '';
        return `${input} '${String(value)}' is not installed (${folder} folder)${hint}`;
      }
      const choices = /not in (\[.*\])$/.exec(detail.details)?.[1];
      if (DEVICE_INPUTS.has(input)) {
        return `${input} '${String(value)}' is not a device of this ComfyUI${choices ? ` (it has ${stripList(choices)})` : ''}`;
      }
      return `${input} '${String(value)}' is not one of the allowed values${choices ? ` (${stripList(choices)})` : ''}`;
    }
    case 'custom_validation_failed': {
      const file = /Invalid (?:image|video) file: (.*)$/.exec(detail.details)?.[1];
      if (file !== undefined) return `${input} '${file}' is not in ComfyUI's input folder`;
      return `${input}: ${detail.details.replace(/^\S+ - /, '') || detail.message}`;
    }
    case 'required_input_missing':
      return `required input ${input} is missing`;
    case 'value_smaller_than_min':
      return `${input} ${String(received)} is below the minimum (${detail.message})`;
    case 'value_bigger_than_max':
      return `${input} ${String(received)} is above the maximum (${detail.message})`;
    case 'invalid_input_type':
      return `${input} '${String(received)}' has the wrong type (${detail.message})`;
    case 'return_type_mismatch': {
      const types = /received_type\((.+)\) mismatch input_type\((.+)\)/.exec(detail.details);
      return types ? `${input} is linked to a ${types[1]} output but needs ${types[2]}` : `${input}: ${detail.details}`;
    }
    case 'bad_linked_input':
      return `${input} has a malformed link (expected ["<node id>", <output index>])`;
    case 'exception_during_inner_validation':
    case 'exception_during_validation': {
      const missing = stringField(info, 'exception_type') === 'KeyError' ? /^'(.*)'$/.exec(detail.details)?.[1] : undefined;
      if (missing !== undefined) return `${input} links to node ${missing}, which is not in the graph`;
      return `${input}: ${detail.message} (${detail.details})`;
    }
    default:
      return [detail.message, detail.details].filter((part) => part.length > 0).join(': ') || detail.type;
  }
}

/** The choices of a combo input as a refusal's `input_config` carries them: `[[…], {}]`, or `["COMBO", { options }]`. */
function comboChoices(config: unknown): string[] | undefined {
  if (!Array.isArray(config)) return undefined;
  const [first, second] = config as unknown[];
  const list = Array.isArray(first) ? first : first === 'COMBO' ? (second as { options?: unknown } | undefined)?.options : undefined;
  return Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : undefined;
}

function stripList(pythonList: string): string {
  const items = pythonList.slice(1, -1).split(',').map((item) => item.trim().replace(/^'(.*)'$/, '$1'));
  return items.length > 12 ? `${items.slice(0, 12).join(', ')}, … ${items.length - 12} more` : items.join(', ');
}

function stringField(record: Record<string, unknown> | null | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' ? value : undefined;
}
