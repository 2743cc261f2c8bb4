import { ComfyExecutionError, type FailureKind } from './errors.ts';
import type { PromptFailure } from './events.ts';
import { nodeTitle, type ApiGraph } from './graph.ts';
import { missingNodeMessage } from './validation.ts';

/**
 * Pure: what an `execution_error` (or a failed history entry) means, for the member and for
 * the admin. ComfyUI reports DisTorch2 allocation faults and OOMs at the consuming node (a
 * KSamplerAdvanced, WanImageToVideo), so the title of that node is what the admin sees.
 */

const MEMBER_MESSAGES: Record<FailureKind, string> = {
  out_of_memory: 'the GPU ran out of memory at this size; try a smaller preset or fewer frames',
  missing_model: 'a model file this preset needs is missing on the GPU server; an admin has to install it',
  missing_node: 'the GPU server lacks a component this workflow needs; an admin has to install it',
  interrupted: 'the generation was stopped on the GPU server before it finished',
  other: 'the GPU server failed while making the video; an admin can find the details in the logs',
};

const OOM = /out of memory|OutOfMemory|OOM\b|Allocation on device|CUDA error: out of memory|MPS backend out of memory/i;
const MODEL_FILE = /\.(safetensors|gguf|ckpt|pt|pth|bin|sft)\b/i;
const NOT_FOUND = /no such file|not found|does not exist|cannot find|could not find/i;

export function classifyFailure(failure: PromptFailure): FailureKind {
  const { exceptionType, exceptionMessage } = failure;
  if (/Interrupt/i.test(exceptionType)) return 'interrupted';
  if (OOM.test(exceptionType) || OOM.test(exceptionMessage)) return 'out_of_memory';
  if (/ModuleNotFoundError|ImportError/.test(exceptionType) || /No module named/.test(exceptionMessage)) return 'missing_node';
  if (/ffmpeg/i.test(exceptionMessage) && NOT_FOUND.test(exceptionMessage)) return 'missing_node';
  if (/node type .* (is missing|does not exist)|NodeNotFound/i.test(exceptionMessage)) return 'missing_node';
  if (/FileNotFoundError/.test(exceptionType) || (MODEL_FILE.test(exceptionMessage) && NOT_FOUND.test(exceptionMessage))) {
    return 'missing_model';
  }
  if (/Value not in list/.test(exceptionMessage) && MODEL_FILE.test(exceptionMessage)) return 'missing_model';
  return 'other';
}

/** The first paragraph of a Python exception message (OOM messages end with a long TIPS part). */
function firstParagraph(message: string): string {
  return (message.split(/\n\s*\n/)[0] ?? message).trim().slice(0, 500);
}

export function describeFailure(failure: PromptFailure, graph?: ApiGraph): ComfyExecutionError {
  const kind = classifyFailure(failure);
  const title = nodeTitle(graph, failure.nodeId, failure.nodeType);
  const where = title ? `${title}${failure.nodeType && failure.nodeType !== title ? ` (${failure.nodeType})` : ''}` : 'ComfyUI';
  const reason = firstParagraph(failure.exceptionMessage) || failure.exceptionType;
  let adminMessage = `${where}: ${failure.exceptionType}: ${reason}`;
  if (kind === 'missing_node') {
    const missingModule = /No module named '([^']+)'/.exec(failure.exceptionMessage)?.[1];
    if (missingModule) adminMessage = `${where}: Python package ${missingModule} is not installed in ComfyUI's environment`;
    else if (failure.nodeType && /node type/i.test(failure.exceptionMessage)) adminMessage = `${where}: ${missingNodeMessage(failure.nodeType)}`;
  }
  if (kind === 'out_of_memory') adminMessage = `${where}: out of GPU memory (${failure.exceptionType}: ${reason})`;
  if (kind === 'interrupted') adminMessage = `${where}: interrupted`;
  return new ComfyExecutionError({
    nodeId: failure.nodeId,
    nodeType: failure.nodeType,
    title,
    exceptionType: failure.exceptionType,
    exceptionMessage: failure.exceptionMessage,
    kind,
    memberMessage: MEMBER_MESSAGES[kind],
    adminMessage,
  });
}

/** An interrupt as an error, for callers that want one value for every way a prompt can end badly. */
export function describeInterrupt(nodeId: string | undefined, graph?: ApiGraph): ComfyExecutionError {
  const nodeType = nodeId === undefined ? undefined : graph?.[nodeId]?.class_type;
  return describeFailure({ nodeId, nodeType, exceptionType: 'InterruptProcessingException', exceptionMessage: 'interrupted' }, graph);
}
