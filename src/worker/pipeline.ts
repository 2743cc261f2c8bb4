import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ComfyTransientError } from '../comfy/errors.ts';
import type { ComfyConnection } from '../comfy/follow.ts';
import type { Config } from '../config.ts';
import { UserError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { videoLinksFromConfig, type VideoLinks } from '../ops/videoLinks.ts';
import { prepareImage } from '../media/index.ts';
import type { EtaKey, WorkloadShape } from '../queue/eta.ts';
import type { JobData, JobResult, JobRun } from '../queue/schemas.ts';
import {
  bindUpscale,
  bindWorkflow,
  resolveJobParams,
  type BoundWorkflow,
  type JobParams,
  type ModelFiles,
  preferredModels,
  type Placement,
  placementFrom,
  type PreflightWorkflows,
  type Preset,
  type Presets,
} from '../workflow/index.ts';
import { createProgressCoalescer } from './coalesce.ts';
import { downloadOutput, fitForDelivery, pickOutputVideo } from './collectVideo.ts';
import { joinExtension } from './extendClip.ts';
import { JobCancelledError } from './failures.ts';
import { followRun, type FinishedRun, type RunPosition } from './followRun.ts';
import { progressAt, type ProgressPlan } from './progress.ts';
import { promptIdFor } from './promptId.ts';
import type { JobRef, Reporter } from '../queue/reporter.ts';
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
  /** Signs links to videos too large to post (PUBLIC_BASE_URL); none when undefined. */
  videoLinks?: VideoLinks | undefined;
};

export const pipelineDefaults = { progressIntervalMs: 1000, previewIntervalMs: 2000, pollIntervalMs: 1000 } as const;

export function pipelineSettingsFromConfig(config: Config, overrides: Partial<PipelineSettings> = {}): PipelineSettings {
  return {
    ...pipelineDefaults,
    dataDir: config.DATA_DIR,
    ffmpegPath: config.FFMPEG_PATH,
    placement: placementFrom(config),
    maxInputPixels: config.MAX_INPUT_PIXELS,
    videoLinks: videoLinksFromConfig(config),
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
  /** The files `instance` resolved for this job's preset (its preflight report); default each role's first choice. */
  models?: ModelFiles | undefined;
  settings: PipelineSettings;
  runs?: RunRecorder | undefined;
  eta?: EtaBook | undefined;
  logger: Logger;
  /** The prompt is done in ComfyUI: its slot may take the next job while this one is fetched, fitted and delivered. */
  onGpuDone?: (() => void) | undefined;
};

const UPLOAD_SUBFOLDER = 'oelala';
/**
 * Our files on ComfyUI stay bounded: ComfyUI has no delete route, so inputs are uploaded to
 * its temp/ (referenced as "name [temp]") and the bundled workflows save with
 * `save_output: false` (VHS writes to temp/ too); ComfyUI empties temp/ itself at every start.
 */
const UPLOAD_TYPE = 'temp';
const uploaded = (name: string) => `${UPLOAD_SUBFOLDER}/${name} [${UPLOAD_TYPE}]`;

type Prepared = { bound: BoundWorkflow; plan: ProgressPlan; etaKey: EtaKey; seed: number; models?: ModelFiles | undefined; upload: () => Promise<void> };

/** Pure-ish: bind the job's graph (deterministic, so a re-attaching worker knows the node stages too). */
async function prepare(deps: PipelineDeps, job: JobRef, attempt: number): Promise<Prepared> {
  const { data } = job;
  const outputPrefix = `${UPLOAD_SUBFOLDER}/${promptIdFor(job.id, attempt)}`;
  const client = deps.connection.client;
  if (data.kind === 'upscale') {
    const upscale = deps.workflows.upscale;
    if (!upscale) throw new UserError('upscale_unavailable', 'Upscaling is not set up on this bot.');
    const videoPath = data.source?.videoPath;
    if (!videoPath) throw new UserError('upscale_without_video', 'There is no finished video to upscale.');
    const name = `${job.id}.mp4`;
    const bound = bindUpscale(upscale, { video: uploaded(name), outputPrefix });
    const shape: WorkloadShape = { steps: 1, frames: 81, width: data.input.width, height: data.input.height };
    return {
      bound,
      seed: data.options.seed,
      plan: { kind: 'upscale', highSteps: 0, lowSteps: 0, expectedMs: await (deps.eta ?? formulaEtaBook).estimate({ preset: 'upscale', ...pick(shape) }, shape) },
      etaKey: { instance: deps.instance, preset: 'upscale', ...pick(shape) },
      upload: async () => {
        const video = await readInput(videoPath);
        await client.uploadImage({ data: video, filename: name, subfolder: UPLOAD_SUBFOLDER, overwrite: true, type: UPLOAD_TYPE });
      },
    };
  }
  const preset = deps.presets[data.options.preset];
  if (!preset) throw new UserError('unknown_preset', `There is no preset called "${data.options.preset}".`);
  const workflow = deps.workflows.i2v[preset.workflow];
  if (!workflow) throw new UserError('preset_unavailable', `The ${preset.name} preset is not set up on this bot.`);
  const params = paramsFor(preset, data, deps.settings.placement);
  const models = deps.models ?? preferredModels(preset.models);
  const name = `${job.id}.png`;
  const bound = bindWorkflow(workflow, { ...params, ...models, image: uploaded(name), outputPrefix });
  const etaKey: EtaKey = { instance: deps.instance, preset: preset.name, width: params.width, height: params.height, frames: params.frames };
  const shape: WorkloadShape = { steps: params.steps, frames: params.frames, width: params.width, height: params.height };
  return {
    bound,
    seed: params.seed,
    models,
    plan: { kind: 'i2v', highSteps: params.splitStep, lowSteps: params.steps - params.splitStep, expectedMs: await (deps.eta ?? formulaEtaBook).estimate(etaKey, shape) },
    etaKey,
    upload: async () => {
      const png = await prepareImage(await readInput(data.input.path), { width: params.width, height: params.height, maxPixels: deps.settings.maxInputPixels });
      await client.uploadImage({ data: png, filename: name, subfolder: UPLOAD_SUBFOLDER, overwrite: true, type: UPLOAD_TYPE });
    },
  };
}

/**
 * The parameters resolved at acceptance, placed on this worker's GPUs. The instance's
 * models are checked by preflight before the job gets a slot; nothing else can have
 * changed. A job stored before parameters were stored is resolved here, once.
 */
function paramsFor(preset: Preset, data: JobData, placement: Placement): JobParams {
  if (data.params) return { ...data.params, ...placement };
  const resolved = resolveJobParams(preset, data.options, { width: data.input.width, height: data.input.height }, placement);
  if (!resolved.ok) throw resolved.error;
  return resolved.value;
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

/** One attempt being followed: the job as the reporter sees it, where it runs, and its recorded run. */
type Attempt = { ref: JobRef; instance: string; connection: ComfyConnection; run: JobRun };
type Followed = Attempt & { finished: FinishedRun };

/** What both paths of a job share. */
type Session = {
  deps: PipelineDeps;
  job: JobRef;
  prepared: Prepared;
  runs: RunRecorder;
  signal: AbortSignal;
  log: Logger;
  /** Report a position of `attempt` (progress names the attempt being followed). */
  report(attempt: Pick<Attempt, 'ref' | 'instance'>, position: RunPosition): void;
  follow(attempt: Attempt, reattached: boolean): Promise<FinishedRun>;
};

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
  const prepared = await prepare(deps, { ...job, attempt }, attempt);
  // The coalescer sends the latest position for the attempt reported last.
  let reporting: Pick<Attempt, 'ref' | 'instance'> = { ref: { ...job, attempt }, instance: deps.instance };
  const coalescer = createProgressCoalescer((progress) => reporter.progress(reporting.ref, progress), {
    intervalMs: deps.settings.progressIntervalMs,
    onError: (error) => log.warn({ err: error }, 'progress report failed'),
  });
  const session: Session = {
    deps,
    job,
    prepared,
    runs,
    signal,
    log,
    report(attempt, position) {
      reporting = attempt;
      coalescer.push(progressAt(prepared.plan, { ...position, startedAt, instance: attempt.instance }, Date.now()));
    },
    follow: (attempt, reattached) =>
      followRun(attempt.connection, attempt.run.promptId, {
        graph: prepared.bound.prompt,
        nodeStages: prepared.bound.nodeStages,
        onPosition: (position) => session.report(attempt, position),
        preview: { dir: join(deps.settings.dataDir, 'previews'), jobId: job.id, minIntervalMs: deps.settings.previewIntervalMs },
        signal,
        logger: log,
        reattached,
        pollIntervalMs: deps.settings.pollIntervalMs,
      }).catch(async (error: unknown) => {
        if (signal.aborted && signal.reason instanceof JobCancelledError) await stopPrompt(attempt.connection.client, attempt.run.promptId, log);
        throw error;
      }),
  };
  try {
    const followed = (previous && (await reattach(session, previous))) || (await submitFresh(session, attempt));
    deps.onGpuDone?.();
    return await deliver({ ...followed, session, reporter, coalescer, startedAt });
  } finally {
    await coalescer.close();
  }
}

/** Follow the run recorded before (a dead worker's, or this job's last try); `undefined` when it must be submitted again. */
async function reattach(session: Session, previous: JobRun): Promise<Followed | undefined> {
  const { deps, job, log } = session;
  const connection = previous.instance === deps.instance ? deps.connection : deps.connectionFor?.(previous.instance);
  if (!connection) return undefined;
  const attempt: Attempt = { ref: { ...job, attempt: previous.attempt }, instance: previous.instance, connection, run: previous };
  log.info({ promptId: previous.promptId, instance: previous.instance }, 're-attaching to a previous run');
  try {
    return { ...attempt, finished: await session.follow(attempt, true) };
  } catch (error) {
    if (!(error instanceof ComfyTransientError && error.code === 'prompt_lost')) throw error;
    log.info({ promptId: previous.promptId }, 'ComfyUI forgot the previous run; submitting again');
    return undefined;
  }
}

/** Upload, record the run before submitting (so a crash re-attaches instead of submitting twice), submit, follow. */
async function submitFresh(session: Session, attemptNumber: number): Promise<Followed> {
  const { deps, job, runs, signal, log } = session;
  const { client } = deps.connection;
  const reporting = { ref: { ...job, attempt: attemptNumber }, instance: deps.instance };
  session.report(reporting, { stage: 'uploading' });
  signal.throwIfAborted();
  await session.prepared.upload();
  const planned: JobRun = { instance: deps.instance, promptId: promptIdFor(job.id, attemptNumber), attempt: attemptNumber, submittedAt: Date.now() };
  signal.throwIfAborted();
  await runs.record(job.id, planned);
  const accepted = await client.submitPrompt({ prompt: session.prepared.bound.prompt, promptId: planned.promptId }, signal).catch(async (error: unknown) => {
    if (signal.aborted && signal.reason instanceof JobCancelledError) await stopPrompt(client, planned.promptId, log);
    throw error;
  });
  let run = planned;
  if (accepted.promptId !== planned.promptId) {
    // ComfyUI before 0.3.45 ignores a client-chosen prompt_id: follow (and remember) the id it chose,
    // or we would never find our prompt and would submit it again.
    log.warn({ promptId: planned.promptId, serverPromptId: accepted.promptId }, 'ComfyUI chose its own prompt id (older than 0.3.45)');
    run = { ...planned, promptId: accepted.promptId };
    await runs.record(job.id, run);
  }
  log.info({ promptId: run.promptId, instance: deps.instance }, 'submitted');
  session.report(reporting, { stage: 'queued_on_gpu' });
  const attempt: Attempt = { ...reporting, connection: deps.connection, run };
  return { ...attempt, finished: await session.follow(attempt, false) };
}

type DeliverContext = Followed & {
  session: Session;
  reporter: Reporter;
  coalescer: { flush(): Promise<void>; close(): Promise<void> };
  startedAt: number;
};

async function deliver(context: DeliverContext): Promise<JobResult> {
  const { ref: job, run, connection, finished, session } = context;
  const { deps, prepared, signal, log } = session;
  const file = pickOutputVideo(finished.outputs, prepared.bound.outputNodeId);
  if (!file) throw new Error(`prompt ${run.promptId} finished without a video output`);
  session.report(context, { stage: 'delivering' });
  await context.coalescer.flush();
  const dir = join(deps.settings.dataDir, 'outputs', job.id);
  const downloaded = await downloadOutput(connection.client, file, dir, signal);
  const joined = await joinExtension(job.data, downloaded, dir, { ffmpegPath: deps.settings.ffmpegPath, signal });
  const video = await fitForDelivery(joined, { maxBytes: job.data.sizeLimit, ffmpegPath: deps.settings.ffmpegPath, dir, signal });
  const gpuStartedAt = finished.gpuStartedAt ?? run.submittedAt;
  const link = video.fallbackFramePath ? deps.settings.videoLinks?.sign(video.videoPath) : undefined;
  const result: JobResult = {
    ...video,
    ...(link ? { videoUrl: link.url, videoUrlExpiresAt: link.expiresAt } : {}),
    seed: prepared.seed,
    gpuSeconds: Math.max(0, (finished.gpuEndedAt - gpuStartedAt) / 1000),
    instance: run.instance,
    promptId: run.promptId,
    ...(prepared.models ? { models: prepared.models } : {}),
  };
  // The terminal report must not be overtaken by a late progress report.
  await context.coalescer.close();
  await context.reporter.delivered(job, result);
  await (deps.eta ?? formulaEtaBook).record({ ...prepared.etaKey, instance: run.instance }, Date.now() - context.startedAt).catch((error: unknown) => log.warn({ err: error }, 'could not record duration'));
  log.info({ promptId: run.promptId, bytes: result.bytes, reencoded: result.reencoded, gpuSeconds: result.gpuSeconds }, 'delivered');
  return result;
}

