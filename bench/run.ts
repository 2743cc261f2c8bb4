// First, as in src/main.ts: discord.js's undici 6 must claim the global dispatcher before our
// undici 7 (src/comfy) does, or discord.js's multipart uploads fail ("action is not a function").
import 'discord.js';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { mediaDir } from './lib/media.ts';
import { errorRow, type Scenario } from './lib/scenario.ts';
import { renderTable, type Figure } from './lib/table.ts';
import { enqueueToPrompt } from './scenarios/enqueueToPrompt.ts';
import { gpuIdle } from './scenarios/gpuIdle.ts';
import { throughput } from './scenarios/throughput.ts';
import { deferral } from './scenarios/deferral.ts';
import { delivery } from './scenarios/delivery.ts';
import { discordEdits } from './scenarios/discordEdits.ts';
import { memory } from './scenarios/memory.ts';
import { reencode } from './scenarios/reencode.ts';
import { realComfy } from './scenarios/realComfy.ts';
import { metricsEndpoint } from './scenarios/metricsEndpoint.ts';
import { recovery } from './scenarios/recovery.ts';

/**
 * `npm run bench [-- name ...]`: every scenario in turn (or those whose name contains
 * one of the arguments), each in its own world; a scenario that throws becomes an
 * error row and the run goes on. Prints the table and writes bench/results.json.
 */

const scenarios: readonly Scenario[] = [deferral, enqueueToPrompt, gpuIdle, throughput, delivery, discordEdits, memory, reencode, recovery, realComfy, metricsEndpoint];

function machine() {
  const ffmpeg = (() => {
    try {
      return execFileSync(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-version']).toString().split('\n')[0]?.split(' Copyright')[0]?.trim();
    } catch {
      return 'unavailable';
    }
  })();
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model,
    ramGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    ffmpeg,
    platform: `${process.platform} ${process.arch}`,
  };
}

const wanted = process.argv.slice(2);
const chosen = wanted.length === 0 ? scenarios : scenarios.filter((s) => wanted.some((w) => s.name.includes(w) || s.figureIds.some((id) => id.includes(w))));
const startedAt = new Date().toISOString();
const figures: Figure[] = [];
const t0 = Date.now();
for (const scenario of chosen) {
  const began = Date.now();
  process.stderr.write(`bench: ${scenario.name} …\n`);
  try {
    const rows = await scenario.run();
    figures.push(...rows);
  } catch (error) {
    process.stderr.write(`bench: ${scenario.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    figures.push(errorRow(scenario.figureIds[0] ?? scenario.name, scenario.name, error));
  }
  process.stderr.write(`bench: ${scenario.name} took ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
}
await rm(mediaDir, { recursive: true, force: true });
const info = machine();
process.stdout.write(`\n${renderTable(figures)}\n\n${info.nproc} cores, ${info.ramGb} GB RAM, Node ${info.node}, ${info.ffmpeg}; ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify({ machine: info, startedAt, seconds: (Date.now() - t0) / 1000, figures }, null, 2)}\n`);
// Leftover handles (sockets closing, timers of libraries) must not keep the run alive.
process.exit(figures.some((f) => f.note?.startsWith('ERROR')) ? 1 : 0);
