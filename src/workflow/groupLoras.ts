/**
 * Sort LoRA file names into the expert they belong to, for the /i2v autocomplete.
 * Wan2.2 LoRAs come in pairs; packs mark them by folder (`high_noise/…`) or by name
 * (`…_high_noise.safetensors`, `…_HIGH.safetensors`, `…-low.safetensors`).
 */
export type LoraGroups = { high: string[]; low: string[]; general: string[] };

// "high"/"low" as a whole token (optionally followed by "noise"), so "highlights" or "slowmo" stay general.
const token = (word: string) => new RegExp(`(^|[^a-z0-9])${word}([^a-z]?noise)?([^a-z]|$)`, 'i');
const HIGH = token('high');
const LOW = token('low');

export function expertOf(name: string): keyof LoraGroups {
  const path = name.replaceAll('\\', '/');
  const folders = path.split('/').slice(0, -1);
  const folderHigh = folders.some((folder) => HIGH.test(folder));
  const folderLow = folders.some((folder) => LOW.test(folder));
  if (folderHigh !== folderLow) return folderHigh ? 'high' : 'low';
  const file = path.split('/').at(-1) ?? path;
  const high = HIGH.test(file);
  const low = LOW.test(file);
  if (high === low) return 'general';
  return high ? 'high' : 'low';
}

export function groupLoras(names: readonly string[]): LoraGroups {
  const groups: LoraGroups = { high: [], low: [], general: [] };
  for (const name of names) groups[expertOf(name)].push(name);
  return groups;
}
