import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ComfyTransientError } from '../comfy/errors.ts';
import type { ComfyConnection } from '../comfy/follow.ts';
import type { Config } from '../config.ts';
import { UserError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { prepareImage } from '../media/index.ts';
import type { EtaKey, WorkloadShape } from '../queue/eta.ts';
import type { JobResult, JobRun } from '../queue/schemas.ts';
import { bindUpscale, bindWorkflow, resolveJobParams, type BoundWorkflow, type PreflightWorkflows, type Presets } from '../workflow/index.ts';
import { createProgressCoalescer } from './coalesce.ts';
import { downloadOutput, fitForDelivery, pickOutputVideo } from './deliver.ts';
import { joinExtension } from './extendClip.ts';
import { JobCancelledError } from './failures.ts';
import { followRun, type FinishedRun, type RunPosition } from './followRun.ts';
import { progressAt, type ProgressPlan } from './progress.ts';
import type { JobRef, Reporter } from './reporter.ts';
import { forgetfulRunRecorder, formulaEtaBook, type EtaBook, type RunRecorder } from './runRecords.ts';
import { stopPrompt } from './stopPrompt.ts';

/** Files and tuning of a run; `pipelineSettingsFromConfig` fills it from the environment. */
export type PipelineSettings = {
  dataDir: string;
  ffmpegPath: string;
  placement: { computeDevice: string; allocations: string };
  maxInputPixels: number;
  /** ms between two progress reports of one job; default 1000. */
  progressIntervalMs: number;
  /** ms between two preview files of one job; default 2000. */
  previewIntervalMs: number;
  /** ComfyUI poll period when the socket cannot tell; default 1000. */
  pollIntervalMs: number;
};

export const pipelineDefaults = { progressIntervalMs: 1000, previewIntervalMs: 2000, pollIntervalMs: 1000 } as const;

export function pipelineSettingsFromConfig(config: Config, overrides: Partial<PipelineSettings> = {}): PipelineSettings {
  return {
    ...pipelineDefaults,
    dataDir: config.DATA_DIR,
    ffmpegPath: config.FFMPEG_PATH,
    placement: { computeDevice: config.DISTORCH_COMPUTE_DEVICE, allocations: config.DISTORCH_ALLOCATIONS },
    maxInputPixels: config.MAX_INPUT_PIXELS,
    ...overrides,
  };
}

export type PipelineDeps = {
  /** The ComfyUI this run submits to (its URL names it in records and logs). */
  instance: string;
  connection: ComfyConnection;
  /** A connection to the instance of a previous run, to re-attach to it; default: only `connection`. */
  connectionFor?: ((instance: string) => ComfyConnection | undefined) | undefined;
  presets: Presets;
  workflows: PreflightWorkflows;
  settings: PipelineSettings;
  runs?: RunRecorder | undefined;
  eta?: EtaBook | undefined;
  logger: Logger;
  /** The prompt is done in ComfyUI: its slot may take the next job while this one is fetched, fitted and delivered. */
  onGpuDone?: (() => void) | undefined;
};

const UPLOAD_SUBFOLDER = 'oelala';

type Prepared = { bound: BoundWorkflow; plan: ProgressPlan; etaKey: EtaKey; seed: number; upload: () => Promise<void> };

/** Pure-ish: bind the job's graph (deterministic, so a re-attaching worker knows the node stages too). */
async function prepare(deps: PipelineDeps, job: JobRef, attempt: number): Promise<Prepared> {
  const { data } = job;
  const outputPrefix = `${UPLOAD_SUBFOLDER}/${job.id}-a${attempt}`;
  const client = deps.connection.client;
  if (data.kind === 'upscale') {
    const upscale = deps.workflows.upscale;
    if (!upscale) throw new UserError('upscale_unavailable', 'Upscaling is not set up on this bot.');
    const videoPath = data.source?.videoPath;
    if (!videoPath) throw new UserError('upscale_without_video', 'There is no finished video to upscale.');
    const name = `${job.id}.mp4`;
    const bound = bindUpscale(upscale, { video: `${UPLOAD_SUBFOLDER}/${name}`, outputPrefix });
    const shape: WorkloadShape = { steps: 1, frames: 81, width: data.input.width, height: data.input.height };
    return {
      bound,
      seed: data.options.seed,
      plan: { kind: 'upscale', highSteps: 0, lowSteps: 0, expectedMs: await (deps.eta ?? formulaEtaBook).estimate({ preset: 'upscale', ...pick(shape) }, shape) },
      etaKey: { instance: deps.instance, preset: 'upscale', ...pick(shape) },
      upload: async () => {
        const video = await readInput(videoPath);
        await client.uploadImage({ data: video, filename: name, subfolder: UPLOAD_SUBFOLDER, overwrite: true });
      },
    };
  }
  const preset = deps.presets[data.options.preset];
  if (!preset) throw new UserError('unknown_preset', `There is no preset called "${data.options.preset}".`);
  const workflow = deps.workflows.i2v[preset.workflow];
  if (!workflow) throw new UserError('preset_unavailable', `The ${preset.name} preset is not set up on this bot.`);
  const resolved = resolveJobParams(preset, data.options, { width: data.input.width, height: data.input.height }, deps.settings.placement);
  if (!resolved.ok) throw resolved.error;
  const params = resolved.value;
  const name = `${job.id}.png`;
  const bound = bindWorkflow(workflow, { ...params, image: `${UPLOAD_SUBFOLDER}/${name}`, outputPrefix });
  const etaKey: EtaKey = { instance: deps.instance, preset: preset.name, width: params.width, height: params.height, frames: params.frames };
  const shape: WorkloadShape = { steps: params.steps, frames: params.frames, width: params.width, height: params.height };
  return {
    bound,
    seed: params.seed,
    plan: { kind: 'i2v', highSteps: params.splitStep, lowSteps: params.steps - params.splitStep, expectedMs: await (deps.eta ?? formulaEtaBook).estimate(etaKey, shape) },
    etaKey,
    upload: async () => {
      const png = await prepareImage(await readInput(data.input.path), { width: params.width, height: params.height, maxPixels: deps.settings.maxInputPixels });
      await client.uploadImage({ data: png, filename: name, subfolder: UPLOAD_SUBFOLDER, overwrite: true });
    },
  };
}

function pick(shape: WorkloadShape) {
  return { width: shape.width, height: shape.height, frames: shape.frames };
}

async function readInput(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError('input_missing', 'The start image of this job is gone; please send it again.', { cause: error });
    }
    throw error;
  }
}

/**
 * Run one job: re-attach to a previous run when ComfyUI still knows it, otherwise
 * upload, bind, record, submit; follow with coalesced progress; fetch, fit and deliver.
 * Independent of BullMQ (the CLI calls it directly). Aborting with a JobCancelledError
 * stops our prompt in ComfyUI; any other abort reason leaves it running for re-attachment.
 */
export async function runJob(deps: PipelineDeps, job: JobRef, reporter: Reporter, signal: AbortSignal): Promise<JobResult> {
  const runs = deps.runs ?? forgetfulRunRecorder;
  const log = deps.logger.child({ jobId: job.id });
  const startedAt = Date.now();
  const previous = await runs.get(job.id);
  const attempt = Math.max(job.attempt, (previous?.attempt ?? 0) + 1);
  let ref: JobRef = { ...job, attempt };
  const prepared = await prepare(deps, ref, attempt);
  const coalescer = createProgressCoalescer((progress) => reporter.progress(ref, progress), {
    intervalMs: deps.settings.progressIntervalMs,
    onError: (error) => log.warn({ err: error }, 'progress report failed'),
  });
  let instance = deps.instance;
  const report = (position: RunPosition) =>
    coalescer.push(progressAt(prepared.plan, { ...position, startedAt, instance }, Date.now()));

  const follow = (connection: ComfyConnection, run: JobRun, reattached: boolean): Promise<FinishedRun> =>
    followRun(connection, run.promptId, {
      graph: prepared.bound.prompt,
      nodeStages: prepared.bound.nodeStages,
      onPosition: report,
      preview: { dir: join(deps.settings.dataDir, 'previews'), jobId: job.id, minIntervalMs: deps.settings.previewIntervalMs },
      signal,
      logger: log,
      reattached,
      pollIntervalMs: deps.settings.pollIntervalMs,
    }).catch(async (error: unknown) => {
      if (signal.aborted && signal.reason instanceof JobCancelledError) await stopPrompt(connection.client, run.promptId, log);
      throw error;
    });

  try {
    let finished: FinishedRun | undefined;
    let run: JobRun | undefined;
    let connection = deps.connection;
    if (previous) {
      const previousConnection = previous.instance === deps.instance ? deps.connection : deps.connectionFor?.(previous.instance);
      if (previousConnection) {
        ref = { ...job, attempt: previous.attempt };
        try {
          log.info({ promptId: previous.promptId, instance: previous.instance }, 're-attaching to a previous run');
          instance = previous.instance;
          finished = await follow(previousConnection, previous, true);
          run = previous;
          connection = previousConnection;
        } catch (error) {
          if (!(error instanceof ComfyTransientError && error.code === 'prompt_lost')) throw error;
          log.info({ promptId: previous.promptId }, 'ComfyUI forgot the previous run; submitting again');
          ref = { ...job, attempt };
          instance = deps.instance;
        }
      }
    }
    if (!finished || !run) {
      report({ stage: 'uploading' });
      signal.throwIfAborted();
      await prepared.upload();
      run = { instance: deps.instance, promptId: `${job.id}-a${attempt}`, attempt, submittedAt: Date.now() };
      signal.throwIfAborted();
      await runs.record(job.id, run);
      const submitted = run;
      const accepted = await deps.connection.client.submitPrompt({ prompt: prepared.bound.prompt, promptId: run.promptId }, signal).catch(async (error: unknown) => {
        if (signal.aborted && signal.reason instanceof JobCancelledError) await stopPrompt(deps.connection.client, submitted.promptId, log);
        throw error;
      });
      if (accepted.promptId !== run.promptId) {
        // ComfyUI before 0.3.45 ignores a client-chosen prompt_id: follow (and remember) the id it chose,
        // or we would never find our prompt and would submit it again.
        log.warn({ promptId: run.promptId, serverPromptId: accepted.promptId }, 'ComfyUI chose its own prompt id (older than 0.3.45)');
        run = { ...run, promptId: accepted.promptId };
        await runs.record(job.id, run);
      }
      log.info({ promptId: run.promptId, instance: deps.instance }, 'submitted');
      report({ stage: 'queued_on_gpu' });
      finished = await follow(deps.connection, run, false);
    }
    deps.onGpuDone?.();
    return await deliver({ deps, job: ref, run, connection, finished, prepared, reporter, coalescer, report, startedAt, signal, log });
  } finally {
    await coalescer.close();
  }
}

type DeliverContext = {
  deps: PipelineDeps;
  job: JobRef;
  run: JobRun;
  connection: ComfyConnection;
  finished: FinishedRun;
  prepared: Prepared;
  reporter: Reporter;
  coalescer: { flush(): Promise<void>; close(): Promise<void> };
  report: (position: RunPosition) => void;
  startedAt: number;
  signal: AbortSignal;
  log: Logger;
};

async function deliver(context: DeliverContext): Promise<JobResult> {
  const { deps, job, run, connection, finished, prepared, signal, log } = context;
  const file = pickOutputVideo(finished.outputs, prepared.bound.outputNodeId);
  if (!file) throw new Error(`prompt ${run.promptId} finished without a video output`);
  context.report({ stage: 'delivering' });
  await context.coalescer.flush();
  const dir = join(deps.settings.dataDir, 'outputs', job.id);
  const downloaded = await downloadOutput(connection.client, file, dir, signal);
  const joined = await joinExtension(job.data, downloaded, dir, { ffmpegPath: deps.settings.ffmpegPath, signal });
  const video = await fitForDelivery(joined, { maxBytes: job.data.sizeLimit, ffmpegPath: deps.settings.ffmpegPath, dir, signal });
  const gpuStartedAt = finished.gpuStartedAt ?? run.submittedAt;
  const result: JobResult = {
    ...video,
    seed: prepared.seed,
    gpuSeconds: Math.max(0, (finished.gpuEndedAt - gpuStartedAt) / 1000),
    instance: run.instance,
    promptId: run.promptId,
  };
  // The terminal report must not be overtaken by a late progress report.
  await context.coalescer.close();
  await context.reporter.delivered(job, result);
  await (deps.eta ?? formulaEtaBook).record({ ...prepared.etaKey, instance: run.instance }, Date.now() - context.startedAt).catch((error: unknown) => log.warn({ err: error }, 'could not record duration'));
  log.info({ promptId: run.promptId, bytes: result.bytes, reencoded: result.reencoded, gpuSeconds: result.gpuSeconds }, 'delivered');
  return result;
}

