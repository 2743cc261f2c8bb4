import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startComfySimulator } from '../../src/simulator/index.ts';
import { startRole } from '../lib/child.ts';
import { sleep } from '../lib/clock.ts';
import { smallPng } from '../lib/media.ts';
import { rssMb } from '../lib/rss.ts';
import type { Scenario } from '../lib/scenario.ts';
import { round, summarize } from '../lib/stats.ts';
import type { Figure } from '../lib/table.ts';
import { enqueueJob } from '../../src/queue/index.ts';
import { storeSampleJob } from '../../test/support/jobs.ts';
import { openWorld } from '../../test/support/world.ts';
import { benchJobOptions } from '../lib/scenario.ts';

/**
 * What Prometheus scraping `/metrics` every second costs a real worker process (the bundle
 * under node, METRICS_PORT set, one simulated ComfyUI, a few finished jobs so the histograms
 * hold data): CPU and RSS over a quiet phase, then over a phase of the same length scraped
 * once a second; the difference is the endpoint's cost. Each scrape also reads the queue
 * counts from Redis, as in production.
 */

const PHASE_S = Number(process.env.BENCH_METRICS_SECONDS ?? 30);
const JOBS = 3;

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/**
 * RSS that loading prom-client (with the default process metrics and a first scrape) adds to a
 * fresh node that already holds bullmq and ioredis, as every bot and worker does; median of 5.
 */
function libraryRssMb(): { median: number; min: number; max: number; n: number } {
  const script = `const rss = () => process.memoryUsage().rss; await import('ioredis'); await import('bullmq'); globalThis.gc?.(); const before = rss();
const { Registry, collectDefaultMetrics } = await import('prom-client'); const r = new Registry(); collectDefaultMetrics({ register: r }); await r.metrics(); globalThis.gc?.();
process.stdout.write(String((rss() - before) / 2 ** 20));`;
  const runs = Array.from({ length: 5 }, () => Number(execFileSync(process.execPath, ['--max-semi-space-size=2', '--expose-gc', '--input-type=module', '-e', script]).toString()));
  return summarize(runs);
}

export const metricsEndpoint: Scenario = {
  name: 'metrics endpoint',
  figureIds: ['metrics.cpu', 'metrics.rss', 'metrics.scrape', 'metrics.library'],
  async run(): Promise<Figure[]> {
    const sim = await startComfySimulator();
    const corner = await openWorld({ purpose: 'bench', comfyUrls: [sim.url] });
    const port = await freePort();
    const worker = startRole('worker', {
      REDIS_URL: corner.config.REDIS_URL,
      QUEUE_PREFIX: corner.prefix,
      DATA_DIR: corner.dataDir,
      COMFYUI_URL: sim.url,
      PRESET_DIR: corner.config.PRESET_DIR,
      WORKFLOW_DIR: corner.config.WORKFLOW_DIR,
      FFMPEG_PATH: corner.config.FFMPEG_PATH,
      METRICS_PORT: String(port),
    });
    const url = `http://127.0.0.1:${port}/metrics`;
    try {
      await worker.waitForLog('worker ready');
      const image = await smallPng();
      for (let seed = 1; seed <= JOBS; seed++) {
        const job = await storeSampleJob(corner, image, { options: { ...benchJobOptions, seed } });
        await enqueueJob(corner.queue, job.data, { jobId: job.jobId, attempts: 1 });
      }
      for (;;) {
        const text = await (await fetch(url)).text();
        if (/oelala_jobs\{state="completed"\} 3\b/.test(text)) break;
        await sleep(250);
      }
      await sleep(3000);

      const quietCpu0 = await cpuSeconds(worker.pid);
      await sleep(PHASE_S * 1000);
      const quietCpu = (await cpuSeconds(worker.pid)) - quietCpu0;
      const rssBefore = await rssMb(worker.pid);

      const latencies: number[] = [];
      let bytes = 0;
      let rssPeak = rssBefore;
      const scrapedCpu0 = await cpuSeconds(worker.pid);
      const began = performance.now();
      for (let i = 0; i < PHASE_S; i++) {
        const due = began + i * 1000;
        await sleep(Math.max(0, due - performance.now()));
        const t0 = performance.now();
        const body = await (await fetch(url)).text();
        latencies.push(performance.now() - t0);
        bytes = body.length;
        rssPeak = Math.max(rssPeak, await rssMb(worker.pid));
      }
      await sleep(Math.max(0, began + PHASE_S * 1000 - performance.now()));
      const scrapedCpu = (await cpuSeconds(worker.pid)) - scrapedCpu0;
      const rssAfter = await rssMb(worker.pid);

      const cpuPercent = ((scrapedCpu - quietCpu) / PHASE_S) * 100;
      const rssGrowth = Math.max(rssAfter, rssPeak) - rssBefore;
      const scrape = summarize(latencies);
      const library = libraryRssMb();
      return [
        {
          id: 'metrics.cpu',
          label: 'metrics endpoint scraped every 1 s: CPU of the worker',
          unit: '% core',
          median: round(cpuPercent, 2),
          n: PHASE_S,
          budget: '< 2 %',
          pass: cpuPercent < 2,
          note: `quiet ${round((quietCpu / PHASE_S) * 100, 2)} %, scraped ${round((scrapedCpu / PHASE_S) * 100, 2)} % over ${PHASE_S} s each`,
        },
        {
          id: 'metrics.rss',
          label: 'metrics endpoint scraped every 1 s: RSS growth of the worker',
          unit: 'MB',
          median: round(rssGrowth, 1),
          budget: '< 10 MB',
          pass: rssGrowth < 10,
          note: `RSS ${round(rssBefore, 1)} MB before, peak ${round(rssPeak, 1)} MB, ${round(rssAfter, 1)} MB after`,
        },
        { id: 'metrics.scrape', label: 'one /metrics scrape (HTTP round trip)', unit: 'ms', median: round(scrape.median, 2), min: round(scrape.min, 2), max: round(scrape.max, 2), n: scrape.n, budget: '', pass: undefined, note: `${bytes} bytes of exposition text` },
        { id: 'metrics.library', label: 'prom-client loaded beside bullmq + ioredis: RSS added', unit: 'MB', median: round(library.median, 1), min: round(library.min, 1), max: round(library.max, 1), n: library.n, budget: '< 10 MB', pass: library.median < 10, note: 'fresh node, default process metrics on, one scrape' },
      ];
    } finally {
      await worker.stop();
      await corner.close();
      await sim.close();
    }
  },
};
