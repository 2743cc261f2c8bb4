import { randomInt } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { connectComfy } from '../comfy/index.ts';
import { parseConfig, type Config } from '../config.ts';
import { isUserError } from '../errors.ts';
import { createLogger, silentLogger, type Logger } from '../log.ts';
import { formatBytes, normalizeImage, saveJobImage } from '../media/index.ts';
import { createJobId } from '../queue/jobId.ts';
import type { JobData, JobProgress } from '../queue/schemas.ts';
import type { Stage } from '../workflow/stages.ts';
import {
  describeModelFiles,
  describeVramFit,
  listPresets,
  loadPresets,
  loadWorkflows,
  preflight,
  type PreflightReport,
  quantisationOfSet,
} from '../workflow/index.ts';
import { classifyError, JobCancelledError } from '../worker/failures.ts';
import { pipelineSettingsFromConfig, runJob, type PipelineSettings } from '../worker/pipeline.ts';
import type { JobRef, Reporter } from '../queue/reporter.ts';
import { parseGenerateArgs, USAGE, type GenerateArgs } from './args.ts';

/**
 * `npm run generate`: one image to one video through the same pipeline the worker
 * runs, straight against a ComfyUI (no Discord, no Redis). Progress goes to stderr,
 * the written file's path to stdout. Exit 0 on success, 2 on bad arguments, 1 when
 * the input or ComfyUI refuses, with one line saying why.
 */

export type GenerateIo = {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean | undefined };
  /** Default process.env. */
  env?: Record<string, string | undefined>;
  /** Ctrl-C: stops our prompt on ComfyUI. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Test and demo knobs (poll period, progress interval). */
  settings?: Partial<PipelineSettings>;
};

const STAGE_WORDS: Record<Stage, string> = {
  waiting: 'waiting',
  uploading: 'uploading',
  queued_on_gpu: 'queued on the GPU',
  loading_models: 'loading models',
  high_noise: 'high-noise pass',
  low_noise: 'low-noise pass',
  decoding: 'decoding',
  encoding: 'encoding',
  upscaling: 'upscaling',
  delivering: 'writing the video',
};

function clock(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** Pure: one progress line, e.g. "[#######-------------]  35% high-noise pass 2/3 · ETA 0:41". */
export function renderProgressLine(progress: JobProgress, now: number, barWidth = 20): string {
  const filled = Math.round((progress.percent / 100) * barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const step = progress.step ? ` ${progress.step.value}/${progress.step.max}` : '';
  const eta = progress.etaAt !== undefined ? ` · ETA ${clock(progress.etaAt - now)}` : '';
  return `${bar} ${String(Math.round(progress.percent)).padStart(3)}% ${STAGE_WORDS[progress.stage]}${step}${eta}`;
}

function progressReporter(io: GenerateIo): Reporter & { end(): void } {
  const tty = io.stderr.isTTY === true;
  let lastPlain = '';
  let drawn = false;
  return {
    async progress(_job, progress) {
      const line = renderProgressLine(progress, Date.now());
      if (tty) {
        io.stderr.write(`\r\x1b[2K${line}`);
        drawn = true;
        return;
      }
      // Plain output: a line when the stage or step changes, not every ETA tick.
      const key = `${progress.stage}${progress.step ? ` ${progress.step.value}/${progress.step.max}` : ''}`;
      if (key !== lastPlain) io.stderr.write(`${line}\n`);
      lastPlain = key;
    },
    delivered: async () => {},
    failed: async () => {},
    cancelled: async () => {},
    end() {
      if (drawn) io.stderr.write('\n');
      drawn = false;
    },
  };
}

/** `--check`: per preset the files it would load (or what is missing), VRAM against the GPUs, previews. Pure. */
export function renderCheck(url: string, report: PreflightReport, order: readonly string[]): string[] {
  const { system } = report;
  const lines = [`ComfyUI ${system.version ?? '(version unknown)'} at ${url}`];
  lines.push(system.gpus.length > 0 ? `GPUs: ${system.gpus.map((gpu) => `${gpu.name} (${gpu.totalBytes === undefined ? '?' : formatBytes(gpu.totalBytes)})`).join(', ')}` : 'GPUs: none reported');
  const { previews } = system;
  lines.push(
    previews.enabled
      ? `previews: on (--preview-method ${previews.method})`
      : `previews: off (${previews.known ? `--preview-method ${previews.method}` : 'command line not reported'}); start ComfyUI with --preview-method auto to see frames while it renders`,
  );
  for (const name of order) {
    const preset = report.presets[name];
    if (!preset) continue;
    lines.push(`${name}: ${preset.runnable ? 'runnable' : 'cannot run'}; ${describeVramFit(preset.vram)}`);
    if (preset.models) for (const line of describeModelFiles(preset.models)) lines.push(`  ${line}`);
    for (const line of preset.missing) lines.push(`  - ${line}`);
  }
  for (const node of report.missingNodes) lines.push(`missing node ${node.classType}: install ${node.pack}`);
  return lines;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

async function buildJob(args: GenerateArgs, config: Config, jobId: string, presetStrength: number): Promise<JobData> {
  const original = await readFile(resolve(args.image)).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot read ${args.image}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  const image = await normalizeImage(original, { maxPixels: config.MAX_INPUT_PIXELS });
  const path = await saveJobImage(config.DATA_DIR, jobId, image.png);
  const lora = (choice: GenerateArgs['loraHigh']) => (choice ? { name: choice.name, strength: choice.strength ?? presetStrength } : undefined);
  const loraHigh = lora(args.loraHigh);
  const loraLow = lora(args.loraLow);
  return {
    v: 1,
    kind: 'i2v',
    options: {
      prompt: args.prompt,
      preset: args.preset,
      aspect: 'auto',
      seed: args.seed ?? randomInt(0, 2 ** 47),
      ...(args.negative !== undefined ? { negative: args.negative } : {}),
      ...(args.frames !== undefined ? { frames: args.frames } : {}),
      ...(args.resolution !== undefined ? { resolution: args.resolution } : {}),
      ...(args.fps !== undefined ? { fps: args.fps } : {}),
      ...(args.width !== undefined && args.height !== undefined ? { width: args.width, height: args.height } : {}),
      ...(args.steps !== undefined ? { steps: args.steps } : {}),
      ...(args.cfg !== undefined ? { cfg: args.cfg } : {}),
      ...(loraHigh ? { loraHigh } : {}),
      ...(loraLow ? { loraLow } : {}),
    },
    input: { path, width: image.width, height: image.height },
    // No Discord here: keep ComfyUI's file as it is (fitVideo only re-encodes what does not play everywhere).
    sizeLimit: 4 * 1024 ** 3,
    requester: { userId: 'cli', name: 'cli' },
    createdAt: Date.now(),
  };
}

/** Run the CLI; returns the exit code (never calls process.exit, so the demo and tests reuse it). */
export async function runGenerate(argv: readonly string[], io: GenerateIo): Promise<number> {
  const say = (line: string) => io.stderr.write(`${line}\n`);
  const parsed = parseGenerateArgs(argv);
  if (!parsed.ok) {
    say(`error: ${parsed.error.message} (see --help)`);
    return 2;
  }
  const args = parsed.value;
  if (args.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const configResult = parseConfig(io.env ?? process.env);
  if (!configResult.ok) {
    say(`error: configuration: ${configResult.problems.join('; ')}`);
    return 2;
  }
  const config = configResult.config;
  const logger = io.logger ?? silentLogger;
  const baseUrl = args.comfy ?? config.COMFYUI_URL[0] ?? 'http://127.0.0.1:8188';
  const reporter = progressReporter(io);
  let connection: ReturnType<typeof connectComfy> | undefined;
  try {
    const presets = await loadPresets(config.PRESET_DIR);
    const preset = presets[args.preset];
    if (!preset) {
      say(`error: unknown preset "${args.preset}"; choose one of: ${listPresets(presets).map((p) => p.name).join(', ')}`);
      return 2;
    }
    const workflows = await loadWorkflows(config.WORKFLOW_DIR, presets);
    // The input first: a file that is not an image is refused before anything else is said.
    const jobId = createJobId();
    const job: JobRef | undefined = args.check ? undefined : { id: jobId, data: await buildJob(args, config, jobId, preset.defaults.loraStrength), attempt: 1 };
    connection = connectComfy({ baseUrl, logger });
    // Then the instance, as the worker does: which files it has for the preset, or why it cannot run it.
    const report = await preflight(connection.client, presets, workflows, io.signal);
    if (args.check || !job) {
      for (const line of renderCheck(baseUrl, report, listPresets(presets).map((p) => p.name))) io.stdout.write(`${line}\n`);
      return report.presets[args.preset]?.runnable ? 0 : 1;
    }
    const ready = report.presets[preset.name];
    if (!ready?.runnable || !ready.models) {
      say(`error: ${baseUrl} cannot run the ${preset.name} preset:`);
      for (const line of ready?.missing ?? []) say(`  - ${line}`);
      return 1;
    }
    const quantisation = quantisationOfSet(ready.models);
    say(`${preset.name} on ${baseUrl}${quantisation ? ` (${quantisation})` : ''}, using:`);
    for (const line of describeModelFiles(ready.models)) say(`  ${line}`);
    const controller = new AbortController();
    const onAbort = () => controller.abort(new JobCancelledError('cli'));
    io.signal?.addEventListener('abort', onAbort, { once: true });
    const settings = pipelineSettingsFromConfig(config, io.settings);
    const result = await runJob({ instance: baseUrl, connection, presets, workflows, models: ready.models, settings, logger }, job, reporter, controller.signal).finally(() =>
      io.signal?.removeEventListener('abort', onAbort),
    );
    reporter.end();
    const out = resolve(args.out ?? `${jobId}.mp4`);
    await mkdir(dirname(out), { recursive: true });
    await copyFile(result.videoPath, out);
    const made = result.models ? quantisationOfSet(result.models) : undefined;
    say(`done: ${result.width}×${result.height}, ${result.frames} frames at ${result.fps} fps, ${formatBytes(result.bytes)}, seed ${result.seed}, ${result.gpuSeconds.toFixed(1)} GPU s${made ? `, ${made}` : ''}`);
    io.stdout.write(`${out}\n`);
    return 0;
  } catch (error) {
    reporter.end();
    if (error instanceof JobCancelledError) {
      say('cancelled');
      return 130;
    }
    const classified = classifyError(error);
    const known = isUserError(error) || classified.permanent || classified.failure.code !== 'internal';
    const reason = known ? classified.failure.message : error instanceof Error ? error.message : String(error);
    const detail = classified.failure.detail && known ? ` (${classified.failure.detail})` : '';
    say(`error: ${oneLine(reason + detail)}`);
    logger.debug({ err: error }, 'generate failed');
    return 1;
  } finally {
    await connection?.close();
  }
}

// Run as a script: wire Ctrl-C to a clean stop of our prompt and exit with the code.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const controller = new AbortController();
  // Preflight asks for every node class and folder at once, each request listening to this signal.
  setMaxListeners(100, controller.signal);
  process.once('SIGINT', () => controller.abort());
  const env = process.env;
  if (env.LOG_LEVEL === undefined) env.LOG_LEVEL = 'warn';
  try {
    process.loadEnvFile('.env');
  } catch {
    // no .env: the environment alone
  }
  const logger = createLogger({ level: env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL, format: 'json', destination: process.stderr as never });
  const code = await runGenerate(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal, logger });
  process.exitCode = code;
}
