import { distance } from 'fastest-levenshtein';

/**
 * Pure facts about model file names as ComfyUI lists them: which listed file a wanted name
 * is, which listed files are close to it ("did you mean …"), and the quantisation a GGUF
 * name carries. Names may sit in subfolders ("wan 2.2/x.gguf"; backslashes on Windows).
 */

const baseName = (name: string) => name.split(/[\\/]/).pop() ?? name;
/** Case, separators, the folder and the extension do not make two names different files to a person. */
const loose = (name: string) => baseName(name).toLowerCase().replace(/\.[a-z0-9]+$/, '').replace(/[-_. ]+/g, '');

/**
 * The listed file a wanted name refers to: the exact name, else the only listed file with
 * that name in a subfolder. A differently spelt file is never taken (ComfyUI would refuse it);
 * `closestNames` suggests it instead.
 */
export function findListed(wanted: string, listed: readonly string[]): string | undefined {
  if (listed.includes(wanted)) return wanted;
  if (/[\\/]/.test(wanted)) return undefined;
  const inSubfolder = listed.filter((name) => baseName(name) === wanted);
  return inSubfolder.length === 1 ? inSubfolder[0] : undefined;
}

/**
 * Up to `limit` listed files closest to any of `wanted`, best first: names equal but for case and
 * separators first, then by edit distance relative to length. Files nothing like the wanted ones
 * (more than 40% different) are left out, so an unrelated LoRA is never offered as a model.
 */
export function closestNames(wanted: readonly string[], listed: readonly string[], limit = 3): string[] {
  const scored = listed.map((name) => {
    const score = Math.min(...wanted.map((want) => {
      const [a, b] = [loose(want), loose(name)];
      return distance(a, b) / Math.max(a.length, b.length, 1);
    }));
    return { name, score };
  });
  const close = scored.filter((entry) => entry.score <= 0.4).sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  // Only the clearly closest: a case-only difference is not shown beside the other expert's file.
  const best = close[0]?.score ?? 0;
  return close
    .filter((entry) => entry.score <= Math.max(best * 1.5, best + 0.02))
    .slice(0, limit)
    .map((entry) => entry.name);
}

/** "wan2.2_i2v_high_noise_14B_Q6_K.gguf" → "Q6_K"; "…-Q5_K_S.gguf" → "Q5_K_S"; undefined for other files. */
export function quantisationOf(fileName: string): string | undefined {
  const match = /[-_.](I?Q\d+(?:_[A-Z0-9]+)*|BF16|F16|F32)\.gguf$/i.exec(baseName(fileName));
  return match?.[1]?.toUpperCase();
}
