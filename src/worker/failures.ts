import { ComfyExecutionError, ComfyHttpError, ComfyTransientError, ComfyValidationError } from '../comfy/errors.ts';
import { UserError } from '../errors.ts';
import type { JobFailure } from '../queue/schemas.ts';

/** The job was cancelled by a member or an admin: ends as cancelled, never retried. */
export class JobCancelledError extends Error {
  override readonly name = 'JobCancelledError';
  readonly by: string;
  constructor(by: string) {
    super(`cancelled by ${by}`);
    this.by = by;
  }
}

/** The worker is shutting down: the job goes back to waiting and a worker re-attaches later. */
export class JobHandedBackError extends Error {
  override readonly name = 'JobHandedBackError';
  constructor() {
    super('handed back at shutdown');
  }
}

/** This worker lost the job's lock (it stalled longer than the lock): another worker took it over. */
export class JobLockLostError extends Error {
  override readonly name = 'JobLockLostError';
  constructor() {
    super('lost the job lock to another worker');
  }
}

/** No configured ComfyUI can run this job's preset right now (preflight said so). */
export class NoInstanceError extends Error {
  override readonly name = 'NoInstanceError';
  readonly preset: string;
  readonly reasons: string[];
  /** Every instance answered its preflight and none can run it: waiting will not help. */
  readonly definitive: boolean;
  constructor(preset: string, reasons: string[], definitive: boolean) {
    super(`no ComfyUI instance can run preset ${preset}: ${reasons.join('; ')}`);
    this.preset = preset;
    this.reasons = reasons;
    this.definitive = definitive;
  }
}

export type ClassifiedFailure = {
  /** Retrying cannot help (bad input, refused graph, missing node or model, out of memory). */
  permanent: boolean;
  failure: Omit<JobFailure, 'retrying'>;
};

/**
 * Pure: what an error means for the member, the admin and the retry policy.
 * Transient faults are retried with backoff; anything retrying cannot fix fails at once.
 */
export function classifyError(error: unknown): ClassifiedFailure {
  if (error instanceof UserError) {
    return { permanent: true, failure: { code: error.code, message: error.message } };
  }
  if (error instanceof ComfyValidationError) {
    const detail = error.problems.map((problem) => problem.message).join('; ');
    const missingNode = error.errorType === 'missing_node_type' || (error.errorType === 'invalid_prompt' && /missing: install/.test(detail));
    if (missingNode) {
      return { permanent: true, failure: { code: 'missing_node', message: 'The GPU server lacks a component this workflow needs; an admin has to install it.', detail } };
    }
    const lora = error.problems.find((problem) => problem.inputName === 'lora_name' && problem.type === 'value_not_in_list');
    if (lora) {
      return { permanent: true, failure: { code: 'unknown_lora', message: 'A LoRA you picked is not installed on the GPU server; pick one from the list.', detail } };
    }
    const model = error.problems.find((problem) => problem.type === 'value_not_in_list' && /not installed/.test(problem.message));
    if (model) {
      // The instance's files changed after its preflight (or it was never asked): name the file, retrying cannot bring it back.
      const file = /'(.+?)' is not installed/.exec(model.message)?.[1];
      const which = file === undefined ? '' : ` (\`${file}\`)`;
      return { permanent: true, failure: { code: 'missing_model', message: `A model file this preset needs${which} is missing on the GPU server; an admin has to install it.`, detail } };
    }
    return { permanent: true, failure: { code: 'comfy_refused', message: 'The GPU server refused this job; an admin can see why in the logs.', detail } };
  }
  if (error instanceof ComfyExecutionError) {
    return { permanent: true, failure: { code: error.kind, message: `${capitalize(error.memberMessage)}.`, detail: error.message } };
  }
  if (error instanceof ComfyTransientError) {
    const message = error.code === 'prompt_lost' ? 'The GPU server restarted and lost this job.' : 'The GPU server could not be reached.';
    return { permanent: false, failure: { code: `comfy_${error.code}`, message, detail: error.message } };
  }
  if (error instanceof ComfyHttpError) {
    return { permanent: error.status < 500, failure: { code: `comfy_http_${error.status}`, message: 'The GPU server answered in a way we did not expect.', detail: error.message } };
  }
  if (error instanceof NoInstanceError) {
    const message = error.definitive
      ? `No GPU server is set up for the ${error.preset} preset; an admin has to install what it needs.`
      : `No GPU server can run the ${error.preset} preset right now.`;
    return { permanent: error.definitive, failure: { code: 'no_instance', message, detail: error.message } };
  }
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { permanent: false, failure: { code: 'internal', message: 'Something went wrong on our side.', detail } };
}

/** Pure: the member's words with "we will try again" when a retry follows. */
export function failureFor(classified: ClassifiedFailure, retrying: boolean): JobFailure {
  const message = retrying ? `${classified.failure.message} Trying again shortly.` : classified.failure.message;
  return { ...classified.failure, message, retrying };
}

function capitalize(text: string): string {
  return text.length > 0 ? `${text[0]?.toUpperCase()}${text.slice(1)}` : text;
}
