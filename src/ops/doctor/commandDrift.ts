/**
 * Pure: how the commands registered on Discord differ from the local definitions (the ones
 * `npm run register` would send). Every field a local definition sets must match what Discord
 * holds (Discord adds fields of its own, such as ids and versions, which are ignored);
 * `required: false` and `autocomplete: false` equal an absent field, as Discord stores them.
 */

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (value: Json): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const FALSE_LIKE_ABSENT = new Set(['required', 'autocomplete', 'nsfw']);

function differences(local: Obj, remote: Obj, at: string): string[] {
  const found: string[] = [];
  for (const [key, want] of Object.entries(local)) {
    const have = remote[key];
    if (want === undefined) continue;
    if (FALSE_LIKE_ABSENT.has(key) && !want && !have) continue;
    if (key === 'options' && Array.isArray(want)) {
      const haveList = Array.isArray(have) ? have.filter(isObj) : [];
      const wantNames = want.filter(isObj).map((option) => String(option['name']));
      const haveNames = haveList.map((option) => String(option['name']));
      if (wantNames.join() !== haveNames.join()) {
        found.push(`${at} options are ${haveNames.join(', ') || '(none)'}, expected ${wantNames.join(', ')}`);
        continue;
      }
      want.filter(isObj).forEach((option, index) => found.push(...differences(option, haveList[index] ?? {}, `${at} ${String(option['name'])}`)));
      continue;
    }
    if (key === 'default_member_permissions' && String(want) === String(have)) continue;
    if (JSON.stringify(want) !== JSON.stringify(have)) found.push(`${at}: ${key} differs`);
  }
  return found;
}

/** Pure: one line per difference, empty when Discord holds exactly what we would register. */
export function commandDrift(local: readonly Json[], remote: readonly Json[]): string[] {
  const byName = new Map(remote.filter(isObj).map((command) => [String(command['name']), command]));
  const drift: string[] = [];
  for (const command of local.filter(isObj)) {
    const name = String(command['name']);
    const registered = byName.get(name);
    byName.delete(name);
    if (!registered) drift.push(`/${name} is not registered`);
    else drift.push(...differences(command, registered, `/${name}`));
  }
  for (const name of byName.keys()) drift.push(`/${name} is registered but no longer defined here`);
  return drift;
}
