import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { modelFolderFor } from '../../src/comfy/index.ts';
import { loadPresets, loadWorkflows, MODEL_ROLES, preferredModels, resolveNodeRef, type PreflightWorkflows, type Presets } from '../../src/workflow/index.ts';

/**
 * The real ComfyUI of the test rig (`../shared/comfyui-rig/`): one place that knows how to
 * start, restart and stop it, which model files it must hold for our presets, and where
 * its log is. Used by `npm run test:real` (test/real/) and `npm run bench -- real`.
 *
 *   COMFYUI_RIG   the rig folder (default ../shared/comfyui-rig beside this repository)
 *   RIG_PORTS     ports to pick a free one from (default 18200-18299)
 *   RIG_WORKDIRS  prefix of the temporary workdirs (default <tmpdir>/real-rig-)
 */

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '../..');

export const RIG_VERSIONS = ['0.3.65', '0.8.0'] as const;
export type RigVersion = (typeof RIG_VERSIONS)[number];

export const rigDir = (): string => resolve(process.env.COMFYUI_RIG ?? join(repoRoot, '..', 'shared', 'comfyui-rig'));
export const rigAvailable = (): boolean => existsSync(join(rigDir(), 'start'));

export type RigOptions = {
  version: RigVersion;
  /** Default: a free port in RIG_PORTS. */
  port?: number;
  /** "folder/file" under models/; default: what our presets and workflows need (`rigModelFiles`). */
  models?: readonly string[];
  /** Seconds per stand-in sampler step (rig default 0.25). */
  stepSeconds?: number;
  /** ComfyUI's --preview-method (default auto: previews on). */
  preview?: 'auto' | 'none' | 'latent2rgb' | 'taesd';
};

/** What a started rig is; plain data, so a vitest globalSetup can hand it to the test files. */
export type RigInfo = Required<Omit<RigOptions, 'models'>> & { url: string; workdir: string; models: string[] };

export type Rig = RigInfo & {
  /** Stop and start the same server (same port, workdir, files): its queue and history are gone. */
  restart(): Promise<void>;
  /** Make models/ hold exactly these "folder/file" entries (ComfyUI re-reads folder listings). */
  setModels(files: readonly string[]): Promise<void>;
  /** The server's log from `since` (a byte offset from `logSize()`). */
  log(since?: number): string;
  logSize(): number;
  stop(): Promise<void>;
};

/** Where a loader's /models folder keeps its files on disk (the GGUF lists are views of other folders). */
const diskFolder: Record<string, string> = { unet_gguf: 'diffusion_models', clip_gguf: 'text_encoders' };

/**
 * The model files a ComfyUI needs to run every preset and the upscale workflow, as the
 * "folder/file" paths under models/ that `start --models` creates. The ONE place that knows
 * how presets name their models: when that changes, this function changes, nothing else.
 */
export function rigModelFiles(presets: Presets, workflows: PreflightWorkflows): string[] {
  const files = new Set<string>();
  const add = (workflow: PreflightWorkflows['upscale'], param: string, name: unknown) => {
    const target = workflow?.binding.params[param as keyof typeof workflow.binding.params]?.[0];
    if (!workflow || !target || typeof name !== 'string') return;
    const found = resolveNodeRef(workflow.graph, target.node);
    const classType = found.ok ? workflow.graph[found.id]?.class_type : undefined;
    if (!classType) return;
    const folder = modelFolderFor(classType, target.input);
    if (!folder) return;
    files.add(`${diskFolder[folder] ?? folder}/${name}`);
  };
  for (const preset of Object.values(presets)) {
    const workflow = workflows.i2v[preset.workflow];
    // Each role's first (preferred) acceptable file: what a box set up from the README holds.
    const preferred = preferredModels(preset.models);
    for (const role of MODEL_ROLES) add(workflow, role, preferred[role]);
  }
  add(workflows.upscale, 'upscaleModel', workflows.upscale?.binding.defaults.upscaleModel);
  return [...files].sort();
}

/** The project's presets and workflows, as the worker loads them. */
export async function loadProjectAssets(): Promise<{ presets: Presets; workflows: PreflightWorkflows }> {
  const presets = await loadPresets(join(repoRoot, 'presets'));
  return { presets, workflows: await loadWorkflows(join(repoRoot, 'workflows'), presets) };
}

/** What `rigModelFiles` gives for this repository's presets and workflows. */
export async function projectModelFiles(): Promise<string[]> {
  const { presets, workflows } = await loadProjectAssets();
  return rigModelFiles(presets, workflows);
}

function portRange(): [number, number] {
  const [low, high] = (process.env.RIG_PORTS ?? '18200-18299').split('-').map(Number);
  if (!low || !high || high < low) throw new Error(`RIG_PORTS must read like 18200-18299, not ${process.env.RIG_PORTS}`);
  return [low, high];
}

const portIsFree = (port: number) =>
  new Promise<boolean>((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });

/**
 * A free port of the range, claimed with a lock file so two test processes starting rigs at
 * once never pick the same one (the lock goes when the rig stops).
 */
async function claimPort(): Promise<{ port: number; release(): void }> {
  const [low, high] = portRange();
  const lockDir = join(tmpdir(), 'real-rig-ports');
  await mkdir(lockDir, { recursive: true });
  for (let port = low; port <= high; port += 1) {
    const lock = join(lockDir, String(port));
    // A lock older than two hours belongs to a run that died without its teardown.
    if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs < 2 * 3600_000) continue;
    try {
      await writeFile(lock, String(process.pid), { flag: existsSync(lock) ? 'w' : 'wx' });
    } catch {
      continue;
    }
    if (await portIsFree(port)) return { port, release: () => rmSync(lock, { force: true }) };
    rmSync(lock, { force: true });
  }
  throw new Error(`no free port in RIG_PORTS ${low}-${high}`);
}

async function script(name: 'start' | 'stop', args: string[]): Promise<string> {
  try {
    const { stdout } = await run(join(rigDir(), name), args, { timeout: 15 * 60_000 });
    return stdout;
  } catch (error) {
    const failed = error as { stderr?: string; message: string };
    throw new Error(`comfyui-rig ${name} ${args.join(' ')} failed: ${failed.stderr?.trim() || failed.message}`);
  }
}

async function launch(info: RigInfo): Promise<void> {
  const args = ['--version', info.version, '--port', String(info.port), '--workdir', info.workdir, '--step-seconds', String(info.stepSeconds), '--preview', info.preview];
  if (info.models.length > 0) args.push('--models', info.models.join(','));
  await script('start', args);
}

/** Start a real ComfyUI of this version; stop it with `stop()` (always, in teardown). */
export async function startRig(options: RigOptions): Promise<Rig> {
  if (!rigAvailable()) throw new Error(`no ComfyUI rig at ${rigDir()} (set COMFYUI_RIG)`);
  const claimed = options.port === undefined ? await claimPort() : { port: options.port, release: () => {} };
  const workdir = mkdtempSync(process.env.RIG_WORKDIRS ?? join(tmpdir(), 'real-rig-'));
  const models = [...(options.models ?? (await projectModelFiles()))];
  const info: RigInfo = {
    version: options.version,
    port: claimed.port,
    stepSeconds: options.stepSeconds ?? 0.25,
    preview: options.preview ?? 'auto',
    url: `http://127.0.0.1:${claimed.port}`,
    workdir,
    models,
  };
  try {
    await launch(info);
  } catch (error) {
    claimed.release();
    rmSync(workdir, { recursive: true, force: true });
    throw error;
  }
  return attachRig(info, { release: claimed.release, removeWorkdir: true });
}

/** A handle on a rig another process started (a globalSetup), from its `RigInfo`. */
export function attachRig(info: RigInfo, owner: { release?: () => void; removeWorkdir?: boolean } = {}): Rig {
  const logPath = join(info.workdir, 'comfyui.log');
  const modelsDir = join(info.workdir, 'ComfyUI', 'models');
  const rig: Rig = {
    ...info,
    async restart() {
      await script('stop', ['--workdir', info.workdir]);
      await launch({ ...info, models: [] });
    },
    async setModels(files) {
      // Only the empty files the rig made (ComfyUI's own put_*_here markers are not models anyway).
      for (const file of await readdir(modelsDir, { recursive: true })) {
        const path = join(modelsDir, file);
        if (statSync(path).isFile() && statSync(path).size === 0 && !files.includes(file)) await rm(path, { force: true });
      }
      for (const file of files) {
        await mkdir(dirname(join(modelsDir, file)), { recursive: true });
        await writeFile(join(modelsDir, file), '', { flag: 'a' });
      }
      rig.models = [...files];
    },
    logSize: () => (existsSync(logPath) ? statSync(logPath).size : 0),
    log: (since = 0) => (existsSync(logPath) ? readFileSync(logPath).subarray(since).toString() : ''),
    async stop() {
      if (existsSync(join(info.workdir, 'comfyui.pid'))) await script('stop', ['--workdir', info.workdir]);
      owner.release?.();
      if (owner.removeWorkdir) await rm(info.workdir, { recursive: true, force: true });
    },
  };
  return rig;
}
