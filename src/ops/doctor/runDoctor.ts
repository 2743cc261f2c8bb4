import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { commandDefinitions } from '../../../commands/index.ts';
import { parseConfig, type Config } from '../../config.ts';
import { loadPresets, loadWorkflows, type PreflightWorkflows, type Presets } from '../../workflow/index.ts';
import { checkComfy } from './checkComfy.ts';
import { checkDiscord } from './checkDiscord.ts';
import { checkHost } from './checkHost.ts';
import { checkRedis } from './checkRedis.ts';
import { fail, ok, renderReport, skip, type CheckResult } from './report.ts';

/**
 * `npm run doctor`: check a setup before the first member tries it. Every check prints ✔
 * or what is wrong and the exact fix; the exit code is 0 only when nothing failed.
 */

export type DoctorOptions = {
  /** The environment (the real one wins over `.env`, as for the bot). */
  env: Record<string, string | undefined>;
  /** Where `.env` is looked for; default `./.env`. */
  dotEnvPath?: string;
  write: (text: string) => void;
};

type Section = { name: string; results: CheckResult[] };

function readEnv(options: DoctorOptions): { env: Record<string, string | undefined>; result: CheckResult } {
  const path = options.dotEnvPath ?? resolve('.env');
  if (!existsSync(path)) return { env: options.env, result: ok(`no .env at ${path}: using the environment only`) };
  try {
    const fromFile = parseEnv(readFileSync(path, 'utf8'));
    return { env: { ...fromFile, ...options.env }, result: ok(`.env parses (${Object.keys(fromFile).length} variables; the environment wins over it)`) };
  } catch (error) {
    return { env: options.env, result: fail(`.env at ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'parse error'})`, 'fix its syntax: one NAME=value per line, see .env.example') };
  }
}

async function loadAssets(config: Config): Promise<{ presets: Presets; workflows: PreflightWorkflows } | CheckResult> {
  try {
    const presets = await loadPresets(config.PRESET_DIR);
    return { presets, workflows: await loadWorkflows(config.WORKFLOW_DIR, presets) };
  } catch (error) {
    return fail(`presets or workflows do not load: ${error instanceof Error ? error.message : String(error)}`, `fix the file named above (PRESET_DIR=${config.PRESET_DIR}, WORKFLOW_DIR=${config.WORKFLOW_DIR})`);
  }
}

export async function runDoctor(options: DoctorOptions): Promise<number> {
  const sections: Section[] = [];
  const { env, result: dotEnv } = readEnv(options);
  const parsed = parseConfig(env);
  if (!parsed.ok) {
    sections.push({ name: 'Configuration', results: [dotEnv, ...parsed.problems.map((problem) => fail(`environment: ${problem}`, 'correct it in .env (see .env.example)'))] });
    sections.push({ name: 'Everything else', results: [skip('skipped: the configuration must parse first')] });
    options.write(renderReport(sections));
    return 1;
  }
  const config = parsed.config;
  const assets = await loadAssets(config);
  sections.push({ name: 'Configuration', results: [dotEnv, ok('the environment parses'), ...('status' in assets ? [assets] : [ok(`presets: ${Object.keys(assets.presets).join(', ')}`)])] });

  const [redis, comfies, discord, host] = await Promise.all([
    checkRedis(config.REDIS_URL),
    'status' in assets ? Promise.resolve([[skip('ComfyUI: skipped (the presets and workflows must load first)')]]) : Promise.all(config.COMFYUI_URL.map((url) => checkComfy(url, assets.presets, assets.workflows))),
    'status' in assets ? Promise.resolve([skip('Discord: skipped (the presets must load first, to know the commands)')]) : checkDiscord(config, commandDefinitions(assets.presets)),
    checkHost(config),
  ]);
  sections.push({ name: 'Redis', results: redis });
  sections.push({ name: 'ComfyUI', results: comfies.flat() });
  sections.push({ name: 'Discord', results: discord });
  sections.push({ name: 'This host', results: host });
  options.write(renderReport(sections));
  return sections.some((section) => section.results.some((result) => result.status === 'fail')) ? 1 : 0;
}
