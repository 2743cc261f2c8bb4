import type { JobData, JobFailure, JobProgress, JobResult } from '../queue/schemas.ts';
import type { Stage } from '../workflow/stages.ts';
import { formatBytes } from '../media/refusals.ts';
import { quantisationOfSet } from '../workflow/resolveModels.ts';
import { formatDuration, progressBar, quotePrompt, relativeTime } from './format.ts';
import { resultComponents, type ResultComponents } from './resultButtons.ts';

/**
 * What a job's status message shows, as pure functions of the job's state. The editor
 * turns a StatusView into a Discord edit; nothing here does I/O.
 */

export type StatusKind = 'waiting' | 'running' | 'delivered' | 'failed' | 'cancelled';

export type StatusView = {
  kind: StatusKind;
  /** Final views are never overwritten by a later progress or waiting view. */
  final: boolean;
  content: string;
  /** A file to attach (read when the edit is sent); replaces every earlier attachment. */
  file?: { path: string; name: string } | undefined;
  /** Show the attached file as the embed's image (the preview frame). */
  imageFromFile?: boolean;
  /** Reactions the bot adds once this view is shown. */
  reactions?: readonly string[];
  /** Buttons under the message (a delivered result's ✏️ 📋 ⏩); none when absent. */
  components?: ResultComponents;
};

/** Discord shows a file named SPOILER_… blurred until clicked. */
const spoilerName = (data: JobData, name: string) => (data.options.spoiler ? `SPOILER_${name}` : name);

/** What a member can do with a result: the bot adds these and handles them (bot/reactions.ts). */
export const REACTIONS = { again: '🔁', upscale: '⬆️', cancel: '❌' } as const;
export const RESULT_REACTIONS = [REACTIONS.again, REACTIONS.upscale, REACTIONS.cancel] as const;

const stageLabels: Record<Stage, string> = {
  waiting: 'Waiting',
  uploading: 'Uploading the image',
  queued_on_gpu: 'Next on the GPU',
  loading_models: 'Loading models',
  high_noise: 'High-noise pass',
  low_noise: 'Low-noise pass',
  decoding: 'Decoding frames',
  encoding: 'Encoding the video',
  upscaling: 'Upscaling',
  delivering: 'Delivering',
};

export function stageLabel(stage: Stage): string {
  return stageLabels[stage];
}

/** The job's identity line: what was asked, compactly. */
function summary(jobId: string, data: JobData, result?: JobResult): string {
  const { options } = data;
  const parts = [data.kind === 'upscale' ? 'upscale' : `\`${options.preset}\``];
  if (result) {
    parts.push(`${result.width}×${result.height}`, `${result.frames} frames (${result.durationSeconds.toFixed(1)} s)`);
  } else {
    if (options.width && options.height) parts.push(`${options.width}×${options.height}`);
    else if (options.aspect !== 'auto') parts.push(options.aspect);
    if (options.frames) parts.push(`${options.frames} frames`);
  }
  parts.push(`seed ${result?.seed ?? options.seed}`);
  if (result) parts.push(`${formatDuration(result.gpuSeconds * 1000)} GPU`);
  // Which quantisation made this video: instances may hold different files.
  const quantisation = result?.models ? quantisationOfSet(result.models) : undefined;
  if (quantisation) parts.push(quantisation);
  parts.push(`ref \`${jobId}\``);
  return `-# ${parts.join(' · ')}`;
}

function promptLine(data: JobData): string[] {
  const quoted = quotePrompt(data.options.prompt);
  return quoted ? [`> ${quoted}`] : [];
}

export type WaitingFacts = { jobId: string; data: JobData; position: number; total: number; etaAt?: number | undefined };

export function renderWaiting({ jobId, data, position, total, etaAt }: WaitingFacts): StatusView {
  const where = position <= 1 ? 'next in line' : `position ${position} of ${total}`;
  const eta = etaAt !== undefined ? ` · starts ${relativeTime(etaAt)}` : '';
  const head = `⏳ **Waiting** — ${where}${eta}`;
  return { kind: 'waiting', final: false, content: [head, ...promptLine(data), summary(jobId, data)].join('\n') };
}

export type RunningFacts = { jobId: string; data: JobData; progress: JobProgress; now: number };

export function renderRunning({ jobId, data, progress, now }: RunningFacts): StatusView {
  const { step } = progress;
  const steps = step && step.max > 0 ? ` — step ${Math.min(step.value, step.max)} of ${step.max}` : '';
  const head = `🎬 **${stageLabel(progress.stage)}**${steps}`;
  const timing = [`${Math.round(progress.percent)}%`];
  if (progress.startedAt !== undefined) timing.push(`${formatDuration(now - progress.startedAt)} elapsed`);
  if (progress.etaAt !== undefined && progress.etaAt > now) timing.push(`done ${relativeTime(progress.etaAt)}`);
  const bar = `\`${progressBar(progress.percent / 100)}\` ${timing.join(' · ')}`;
  const view: StatusView = {
    kind: 'running',
    final: false,
    content: [head, bar, ...promptLine(data), summary(jobId, data)].join('\n'),
  };
  if (progress.previewPath) {
    view.file = { path: progress.previewPath, name: previewName(progress.previewPath) };
    view.imageFromFile = true;
  }
  return view;
}

function previewName(path: string): string {
  return path.toLowerCase().endsWith('.png') ? 'preview.png' : 'preview.jpg';
}

export type DeliveredFacts = { jobId: string; data: JobData; result: JobResult };

export function renderDelivered({ jobId, data, result }: DeliveredFacts): StatusView {
  const hint = `-# ${REACTIONS.again} again with a new seed · ${REACTIONS.upscale} upscale · ${REACTIONS.cancel} delete`;
  if (result.fallbackFramePath) {
    const why =
      `The video (${formatBytes(result.bytes)}) is larger than this server lets me upload ` +
      `(${formatBytes(data.sizeLimit)}), even after re-encoding, so here is a frame from it` +
      (result.videoUrl
        ? ` and the full video: ${result.videoUrl} (the link works until <t:${Math.floor((result.videoUrlExpiresAt ?? 0) / 1000)}:f>). `
        : '. ') +
      'Fewer frames or the `fast` preset make a smaller file.';
    return {
      kind: 'delivered',
      final: true,
      content: [`✅ **Done**, but too large to post`, why, ...promptLine(data), summary(jobId, data, result), hint].join('\n'),
      file: { path: result.fallbackFramePath, name: spoilerName(data, 'frame.png') },
      imageFromFile: true,
      reactions: RESULT_REACTIONS,
      components: resultComponents(jobId, data),
    };
  }
  const head = data.kind === 'upscale' ? '✅ **Upscaled**' : data.extend ? `✅ **Extended** (${data.extend.depth}×)` : '✅ **Done**';
  return {
    kind: 'delivered',
    final: true,
    content: [head, ...promptLine(data), summary(jobId, data, result), hint].join('\n'),
    file: { path: result.videoPath, name: spoilerName(data, `${jobId}.mp4`) },
    reactions: RESULT_REACTIONS,
    components: resultComponents(jobId, data),
  };
}

export type FailedFacts = { jobId: string; data: JobData; failure: JobFailure };

export function renderFailed({ jobId, data, failure }: FailedFacts): StatusView {
  if (failure.retrying) {
    return {
      kind: 'running',
      final: false,
      content: [`⚠️ **Hit a snag, trying again** — ${failure.message}`, ...promptLine(data), summary(jobId, data)].join('\n'),
    };
  }
  const lines = [
    `❌ **This video could not be made.** ${failure.message}`,
    ...promptLine(data),
    `-# If it keeps happening, tell an admin the reference \`${jobId}\`.`,
  ];
  return { kind: 'failed', final: true, content: lines.join('\n') };
}

export type CancelledFacts = { jobId: string; data: JobData };

export function renderCancelled({ jobId, data }: CancelledFacts): StatusView {
  const lines = ['🚫 **Cancelled.** Nothing more will happen with this one; run `/i2v` again whenever you like.', ...promptLine(data), summary(jobId, data)];
  return { kind: 'cancelled', final: true, content: lines.join('\n') };
}
