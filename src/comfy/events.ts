/**
 * What following one prompt yields, in order. Exactly one terminal event
 * (`succeeded`, `failed`, `interrupted`) ends the stream. Node ids are ComfyUI's
 * graph ids; the caller maps them to its own stages (it knows the graph).
 */

/** One file a node reported in its UI output (VHS puts videos under `gifs`, SaveImage under `images`). */
export type OutputFile = {
  filename: string;
  subfolder: string;
  type: 'output' | 'temp' | 'input';
  format?: string | undefined;
  frameRate?: number | undefined;
  fullpath?: string | undefined;
};

/** A node's UI output, keyed by kind (`gifs`, `images`, ...). */
export type NodeOutput = Record<string, OutputFile[]>;

export type PromptFailure = {
  nodeId: string | undefined;
  nodeType: string | undefined;
  exceptionType: string;
  exceptionMessage: string;
};

export type PromptEvent =
  /** Still in ComfyUI's queue; `position` 0 means next to run. */
  | { type: 'queued'; position: number }
  | { type: 'started'; at: number }
  | { type: 'cached'; nodes: string[] }
  /** A node started executing. */
  | { type: 'node'; node: string }
  /** A progress update of a node: sampler step or VHS frame `value` of `max`. */
  | { type: 'step'; node: string; value: number; max: number }
  | { type: 'preview'; node: string | undefined; mime: 'image/jpeg' | 'image/png'; image: Buffer }
  | { type: 'output'; node: string; output: NodeOutput }
  | { type: 'succeeded'; outputs: Record<string, NodeOutput>; at: number }
  | { type: 'failed'; failure: PromptFailure; at: number }
  | { type: 'interrupted'; node: string | undefined; at: number };

export type TerminalPromptEvent = Extract<PromptEvent, { type: 'succeeded' | 'failed' | 'interrupted' }>;

export function isTerminal(event: PromptEvent): event is TerminalPromptEvent {
  return event.type === 'succeeded' || event.type === 'failed' || event.type === 'interrupted';
}
