import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeFailure, describeInterrupt } from '../comfy/failure.ts';
import type { NodeOutput } from '../comfy/events.ts';
import { followPrompt, type ComfyConnection } from '../comfy/follow.ts';
import type { ApiGraph } from '../comfy/graph.ts';
import type { Logger } from '../log.ts';
import { STAGES, type Stage } from '../workflow/stages.ts';

/** Where a running prompt is, as the progress model wants it. */
export type RunPosition = { stage: Stage; step?: { value: number; max: number } | undefined; gpuStartedAt?: number | undefined; previewPath?: string | undefined };

export type FollowRunOptions = {
  graph: ApiGraph | undefined;
  nodeStages: Record<string, Stage>;
  onPosition: (position: RunPosition) => void;
  /** Where previews go (`<dir>/<jobId>.jpg`); none written when undefined. */
  preview?: { dir: string; jobId: string; minIntervalMs: number } | undefined;
  signal: AbortSignal;
  logger: Logger;
  /** A prompt submitted by another (dead) worker sends its events to that worker's socket: poll briskly. */
  reattached?: boolean;
  pollIntervalMs?: number | undefined;
};

export type FinishedRun = { outputs: Record<string, NodeOutput>; gpuStartedAt: number | undefined; gpuEndedAt: number };

/**
 * Follow a prompt to its end, translating node events into stages. Resolves with the
 * outputs on success; throws the worded ComfyExecutionError on failure or interrupt,
 * ComfyTransientError('prompt_lost') when ComfyUI forgot it, the abort reason on abort.
 */
export async function followRun(connection: ComfyConnection, promptId: string, options: FollowRunOptions): Promise<FinishedRun> {
  const { nodeStages, onPosition, preview, signal } = options;
  let stage: Stage = 'queued_on_gpu';
  let step: RunPosition['step'];
  // Stages only move forward: ComfyUI loads the low-noise expert after the high-noise pass,
  // and a member's progress bar must not jump back to "loading models" for it.
  const advanceTo = (next: Stage | undefined): boolean => {
    if (!next || next === stage || STAGES.indexOf(next) < STAGES.indexOf(stage)) return false;
    stage = next;
    step = undefined;
    return true;
  };
  let gpuStartedAt: number | undefined;
  let previewPath: string | undefined;
  let lastPreviewAt = 0;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const events = followPrompt(connection, promptId, {
    signal,
    graph: options.graph,
    logger: options.logger,
    pollIntervalMs,
    ...(options.reattached ? { safetyPollMs: pollIntervalMs } : {}),
  });
  for await (const event of events) {
    switch (event.type) {
      case 'queued':
        onPosition({ stage: 'queued_on_gpu', previewPath });
        break;
      case 'started':
        gpuStartedAt = event.at;
        advanceTo('loading_models');
        onPosition({ stage, gpuStartedAt, previewPath });
        break;
      case 'node':
        if (advanceTo(nodeStages[event.node])) onPosition({ stage, gpuStartedAt, previewPath });
        break;
      case 'step': {
        const next = nodeStages[event.node];
        if (next && next !== stage && !advanceTo(next)) break; // a late step of an earlier stage
        step = { value: event.value, max: event.max };
        onPosition({ stage, step, gpuStartedAt, previewPath });
        break;
      }
      case 'preview': {
        if (!preview || Date.now() - lastPreviewAt < preview.minIntervalMs) break;
        lastPreviewAt = Date.now();
        await mkdir(preview.dir, { recursive: true });
        const path = join(preview.dir, `${preview.jobId}.${event.mime === 'image/png' ? 'png' : 'jpg'}`);
        await writeFile(path, event.image);
        previewPath = path;
        onPosition({ stage, step, gpuStartedAt, previewPath });
        break;
      }
      case 'succeeded':
        return { outputs: event.outputs, gpuStartedAt, gpuEndedAt: event.at };
      case 'failed':
        throw describeFailure(event.failure, options.graph);
      case 'interrupted':
        // Not ours (ours aborts the signal first): an admin stopped it in ComfyUI.
        signal.throwIfAborted();
        throw describeInterrupt(event.node, options.graph);
      default:
        break;
    }
  }
  signal.throwIfAborted();
  throw new Error(`following prompt ${promptId} ended without a terminal event`);
}
