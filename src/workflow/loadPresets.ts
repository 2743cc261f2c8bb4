import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type Preset, type Presets, presetSchema } from './presetSchema.ts';

/**
 * Read every presets/*.json. Throws one message listing every problem in every file,
 * so an operator fixes them in one go instead of one restart per typo.
 */
export async function loadPresets(dir: string): Promise<Presets> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.json')).sort();
  const presets: Presets = {};
  const problems: string[] = [];
  for (const file of files) {
    const path = join(dir, file);
    const name = basename(file, '.json');
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      problems.push(`${path}: not valid JSON (${(error as Error).message})`);
      continue;
    }
    const parsed = presetSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${path}: ${issue.path.join('.') || '(file)'}: ${issue.message}`);
      continue;
    }
    presets[name] = { ...parsed.data, name } satisfies Preset;
  }
  if (files.length === 0) problems.push(`${dir}: no preset files (*.json) found`);
  if (problems.length > 0) throw new Error(`The presets in ${dir} have problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return presets;
}

/** The presets in the order /i2v offers them. */
export function listPresets(presets: Presets): Preset[] {
  return Object.values(presets).sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}
