import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { MODEL_ROLES, type ModelChoices, modelSetSchema, type Preset, type Presets, presetSchema } from './presetSchema.ts';

/** presets/models.json: the model set every preset uses unless it names its own. Not a preset. */
export const MODEL_SET_FILE = 'models.json';

type Problems = string[];

async function readJson(path: string, problems: Problems, optional = false): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    problems.push(`${path}: not valid JSON (${(error as Error).message})`);
    return undefined;
  }
}

const issueLines = (path: string, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>) =>
  issues.map((issue) => `${path}: ${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`);

/**
 * Read every presets/*.json and the shared model set (presets/models.json). Throws one message
 * listing every problem in every file, so an operator fixes them in one go instead of one
 * restart per typo.
 */
export async function loadPresets(dir: string): Promise<Presets> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.json') && file !== MODEL_SET_FILE).sort();
  const problems: Problems = [];
  const setPath = join(dir, MODEL_SET_FILE);
  const setRaw = await readJson(setPath, problems, true);
  const set = setRaw === undefined ? undefined : modelSetSchema.safeParse(setRaw);
  if (set && !set.success) problems.push(...issueLines(setPath, set.error.issues));
  const shared: Partial<ModelChoices> = set?.success ? set.data : {};

  const presets: Presets = {};
  for (const file of files) {
    const path = join(dir, file);
    const raw = await readJson(path, problems);
    if (raw === undefined) continue;
    const parsed = presetSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...issueLines(path, parsed.error.issues));
      continue;
    }
    const { models: own, ...rest } = parsed.data;
    const { $comment: _, ...ownModels } = own ?? {};
    const models = { ...shared, ...ownModels };
    const unnamed = MODEL_ROLES.filter((role) => !models[role]);
    if (unnamed.length > 0 && !(set && !set.success)) {
      problems.push(`${path}: models: no file named for ${unnamed.join(', ')} (name them here or in ${setPath})`);
    }
    presets[basename(file, '.json')] = { ...rest, name: basename(file, '.json'), models: models as ModelChoices } satisfies Preset;
  }
  if (files.length === 0) problems.push(`${dir}: no preset files (*.json) found`);
  if (problems.length > 0) throw new Error(`The presets in ${dir} have problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return presets;
}

/** The presets in the order /i2v offers them. */
export function listPresets(presets: Presets): Preset[] {
  return Object.values(presets).sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}
