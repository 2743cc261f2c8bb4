import { closestNames, findListed, quantisationOf } from '../comfy/modelNames.ts';
import { diskFoldersOf } from '../comfy/nodePacks.ts';
import { MODEL_ROLE_WORDS, MODEL_ROLES, type ModelChoices, type ModelFiles } from './presetSchema.ts';

/**
 * Which acceptable file an instance has for one model role: the first of the preset's ordered
 * list that its folder lists. When none is there, the closest listed names, so the admin reads
 * "did you mean …" instead of "missing". Pure.
 */

export type ModelProblem = {
  /** "high-noise model", "VAE", "upscale model". */
  what: string;
  /** The /models folder that was searched, e.g. unet_gguf. */
  folder: string;
  /** The acceptable names, in order of preference. */
  wanted: readonly string[];
  /** Listed files close to a wanted name, best first. */
  closest: string[];
  /** How many files the folder lists. */
  listed: number;
};

export type ModelPick = { ok: true; file: string } | { ok: false; problem: ModelProblem };

export function pickModel(what: string, folder: string, wanted: readonly string[], listed: readonly string[]): ModelPick {
  for (const name of wanted) {
    const file = findListed(name, listed);
    if (file !== undefined) return { ok: true, file };
  }
  return { ok: false, problem: { what, folder, wanted, closest: closestNames(wanted, listed), listed: listed.length } };
}

const code = (name: string) => `\`${name}\``;

/** One line an admin can act on: which file, which folder, and the closest installed names. */
export function describeModelProblem(problem: ModelProblem): string {
  const [first, ...rest] = problem.wanted;
  const names = rest.length === 0 ? code(first ?? '?') : `${code(first ?? '?')} or ${rest.length} other acceptable name${rest.length === 1 ? '' : 's'}`;
  const where = diskFoldersOf(problem.folder);
  const hint =
    problem.closest.length > 0
      ? `did you mean ${problem.closest.map(code).join(' or ')}?`
      : problem.listed === 0
        ? `no files there`
        : `nothing with a similar name is installed (${problem.listed} other file${problem.listed === 1 ? '' : 's'})`;
  return `${problem.what}: ${names} is not in ${where}; ${hint}`;
}

/** Each role's first choice: what a graph is bound with when no instance was asked (the bench's floor). */
export function preferredModels(models: ModelChoices): ModelFiles {
  return Object.fromEntries(MODEL_ROLES.map((role) => [role, models[role][0] ?? ''])) as ModelFiles;
}

/** "Q6_K", or "Q6_K/Q5_K_S" when the experts differ; undefined when the names carry none. */
export function quantisationOfSet(files: Pick<ModelFiles, 'highModel' | 'lowModel'>): string | undefined {
  const quants = [...new Set([quantisationOf(files.highModel), quantisationOf(files.lowModel)].filter((q): q is string => q !== undefined))];
  return quants.length > 0 ? quants.join('/') : undefined;
}

/** One line per role: "high-noise model: wan2.2_…_Q6_K.gguf". */
export function describeModelFiles(files: ModelFiles): string[] {
  return MODEL_ROLES.map((role) => `${MODEL_ROLE_WORDS[role]}: ${files[role]}`);
}
