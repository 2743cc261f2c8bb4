/**
 * Compare two JSON values by shape: key sets and value types, recursively, ignoring the
 * values themselves (ids, timestamps, counters, sizes). Objects keyed by node or prompt
 * ids are compared value by value against the recorded entry with the same key, or the
 * first one, since which ids appear is a matter of values.
 */
const idKey = /^(\d+[a-z\d]*|[0-9a-f]{8}-[0-9a-f-]{27}|rig-[0-9a-f]+)$/;

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export function shapeDiff(expected: unknown, actual: unknown, path = '$', ignore: RegExp[] = []): string[] {
  if (ignore.some((re) => re.test(path))) return [];
  const ek = kind(expected);
  const ak = kind(actual);
  if (ek !== ak) return [`${path}: expected ${ek}, got ${ak} (${JSON.stringify(actual)?.slice(0, 80)})`];
  if (ek === 'array') {
    const e = expected as unknown[];
    const a = actual as unknown[];
    if (e.length === 0 || a.length === 0) return [];
    if (e.length === a.length) return a.flatMap((x, i) => shapeDiff(e[i], x, `${path}[${i}]`, ignore));
    return a.flatMap((x, i) => shapeDiff(e[0], x, `${path}[${i}]`, ignore));
  }
  if (ek !== 'object') return [];
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  const eKeys = Object.keys(e);
  const aKeys = Object.keys(a);
  const idMap = eKeys.length > 0 && eKeys.every((k) => idKey.test(k));
  if (idMap || (eKeys.length === 0 && aKeys.every((k) => idKey.test(k)))) {
    if (eKeys.length === 0) return [];
    return aKeys.flatMap((k) =>
      idKey.test(k) ? shapeDiff(k in e ? e[k] : e[eKeys[0] as string], a[k], `${path}.${k}`, ignore) : [`${path}: unexpected key ${k}`],
    );
  }
  const out: string[] = [];
  for (const k of eKeys) if (!(k in a) && !ignore.some((re) => re.test(`${path}.${k}`))) out.push(`${path}: missing key ${k}`);
  for (const k of aKeys) {
    if (!(k in e)) {
      if (!ignore.some((re) => re.test(`${path}.${k}`))) out.push(`${path}: unexpected key ${k}`);
      continue;
    }
    out.push(...shapeDiff(e[k], a[k], `${path}.${k}`, ignore));
  }
  return out;
}
