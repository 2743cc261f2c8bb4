import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The rooms of src/ and who may enter which (docs/modules.md). Read from the import
 * statements themselves, so a wrong-way import fails here rather than in a review.
 */

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');

type Edge = { from: string; to: string; file: string; specifier: string };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The folder right under src/ ("bot", "queue"), or the file's own name for src/*.ts. */
function roomOf(path: string): string {
  const inside = relative(src, path).split(/[\\/]/);
  return inside.length === 1 ? inside[0]!.replace(/\.ts$/, '') : inside[0]!;
}

// Static imports, `export … from`, type-only imports and dynamic import(), across lines.
const SPECIFIER = /(?:^|[\s;])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(SPECIFIER)].map((match) => match[1] ?? match[2] ?? match[3]!);
}

const edges: Edge[] = sourceFiles(src).flatMap((file) =>
  importsOf(file)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => {
      const target = resolve(dirname(file), specifier);
      const to = target.startsWith(src) ? roomOf(target) : relative(root, target).split(/[\\/]/)[0]!;
      return { from: roomOf(file), to, file: relative(root, file), specifier };
    }),
);

function crossing(from: string[], to: string[]): string[] {
  return edges
    .filter((edge) => from.includes(edge.from) && to.includes(edge.to))
    .map((edge) => `${edge.file} imports ${edge.specifier}`);
}

describe('the rooms of src/', () => {
  it('reads the imports it is checking', () => {
    // Guards the parser: if it found nothing, every rule below would pass vacuously.
    expect(crossing(['bot'], ['queue']).length).toBeGreaterThan(0);
    expect(crossing(['worker'], ['comfy']).length).toBeGreaterThan(0);
    expect(crossing(['status'], ['queue']).length).toBeGreaterThan(0);
  });

  it('workflow, comfy and media know nothing of the queue, Discord, the worker or status messages', () => {
    expect(crossing(['workflow', 'comfy', 'media'], ['queue', 'bot', 'worker', 'status', 'commands'])).toEqual([]);
  });

  it('the bot and the worker meet through data, not through each other', () => {
    expect(crossing(['bot'], ['worker'])).toEqual([]);
    expect(crossing(['worker'], ['bot', 'commands'])).toEqual([]);
  });

  it('the queue imports neither the bot nor the worker', () => {
    expect(crossing(['queue'], ['bot', 'worker', 'status', 'commands'])).toEqual([]);
  });

  it('status messages are drawn without the bot or the worker', () => {
    expect(crossing(['status'], ['bot', 'worker', 'commands'])).toEqual([]);
  });

  it('spells every Redis key in src/queue/keys.ts only', () => {
    // A key is a template literal built on the prefix: `${prefix}:…` or `${ctx.prefix}:…`.
    const spelled = sourceFiles(src)
      .filter((file) => !file.startsWith(join(src, 'simulator')) && relative(src, file) !== join('queue', 'keys.ts'))
      .filter((file) => /\$\{[\w.]*prefix\}:/i.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(spelled).toEqual([]);
  });
});
