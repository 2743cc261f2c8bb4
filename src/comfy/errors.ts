/**
 * What can go wrong talking to ComfyUI, as classes the worker can branch on:
 * - `ComfyHttpError`: the server answered with a status we did not expect (4xx).
 * - `ComfyTransientError`: worth retrying (refused, reset, timeout, 5xx, a prompt ComfyUI forgot).
 * - `ComfyValidationError`: `/prompt` refused the graph (400); `problems` say why, per node.
 * - `ComfyExecutionError`: a node raised while running; `kind` and `memberMessage` say what to tell whom.
 */

/** Longest response body kept on an error: enough to read, small enough to log. */
export const MAX_ERROR_BODY_CHARS = 2048;

export function trimBody(body: string): string {
  return body.length > MAX_ERROR_BODY_CHARS ? `${body.slice(0, MAX_ERROR_BODY_CHARS)}… (${body.length} chars)` : body;
}

export type RequestContext = { method: string; url: string };

export class ComfyHttpError extends Error {
  override name: string;
  readonly method: string;
  readonly url: string;
  readonly status: number;
  /** The response body, trimmed to ~2 KB. */
  readonly body: string;

  constructor(context: RequestContext & { status: number; body: string }, message?: string) {
    const body = trimBody(context.body);
    super(message ?? `${context.method} ${context.url} answered ${context.status}${body ? `: ${body.slice(0, 200)}` : ''}`);
    this.name = `ComfyHttpError[${context.status}]`;
    this.method = context.method;
    this.url = context.url;
    this.status = context.status;
    this.body = body;
  }
}

export const TRANSIENT_CODES = ['refused', 'reset', 'timeout', 'server_error', 'unreachable', 'prompt_lost'] as const;
export type TransientCode = (typeof TRANSIENT_CODES)[number];

/** A fault that may pass: the caller retries (a worker resubmits on `prompt_lost`). */
export class ComfyTransientError extends Error {
  override name: string;
  readonly retryable = true as const;
  readonly code: TransientCode;
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly status: number | undefined;
  readonly body: string | undefined;

  constructor(
    code: TransientCode,
    message: string,
    context: Partial<RequestContext> & { status?: number; body?: string; cause?: unknown } = {},
  ) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = `ComfyTransientError[${code}]`;
    this.code = code;
    this.method = context.method;
    this.url = context.url;
    this.status = context.status;
    this.body = context.body === undefined ? undefined : trimBody(context.body);
  }
}

/** One reason ComfyUI gave for refusing a graph, in words an admin can act on. */
export type ValidationProblem = {
  /** Graph node id; undefined for whole-graph problems (no outputs, no prompt). */
  nodeId: string | undefined;
  classType: string | undefined;
  /** The node's `_meta.title` from the graph we sent, else its class. */
  title: string | undefined;
  inputName?: string | undefined;
  /** e.g. "LoRA high: lora_name 'x.safetensors' is not installed (loras folder)". */
  message: string;
  /** ComfyUI's own error type, e.g. `value_not_in_list`. */
  type: string;
};

export class ComfyValidationError extends ComfyHttpError {
  /** ComfyUI's top-level `error.type`: prompt_outputs_failed_validation, invalid_prompt, missing_node_type, prompt_no_outputs, no_prompt. */
  readonly errorType: string;
  readonly problems: ValidationProblem[];

  constructor(context: RequestContext & { body: string }, errorType: string, problems: ValidationProblem[]) {
    const summary = problems.map((problem) => problem.message).join('; ');
    super({ ...context, status: 400 }, `ComfyUI refused the workflow (${errorType}): ${summary}`);
    this.name = 'ComfyValidationError';
    this.errorType = errorType;
    this.problems = problems;
  }
}

export const FAILURE_KINDS = ['out_of_memory', 'missing_model', 'missing_node', 'interrupted', 'other'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export class ComfyExecutionError extends Error {
  override readonly name = 'ComfyExecutionError';
  readonly nodeId: string | undefined;
  readonly nodeType: string | undefined;
  readonly title: string | undefined;
  readonly exceptionType: string;
  readonly exceptionMessage: string;
  readonly kind: FailureKind;
  /** Plain words for the member who asked; never carries a traceback or a path. */
  readonly memberMessage: string;

  constructor(fields: {
    nodeId: string | undefined;
    nodeType: string | undefined;
    title: string | undefined;
    exceptionType: string;
    exceptionMessage: string;
    kind: FailureKind;
    memberMessage: string;
    adminMessage: string;
  }) {
    super(fields.adminMessage);
    this.nodeId = fields.nodeId;
    this.nodeType = fields.nodeType;
    this.title = fields.title;
    this.exceptionType = fields.exceptionType;
    this.exceptionMessage = fields.exceptionMessage;
    this.kind = fields.kind;
    this.memberMessage = fields.memberMessage;
  }
}
