import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus metrics (served at `/metrics` by the health server). One registry
 * per process; the code paths that do the work count into it (`jobMetrics`, `observeDiscordRest`),
 * and what is cheaper to read than to track (queue counts, instance health) is read at scrape
 * time from the sources `addMetricsSource` registers.
 */

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'oelala_' });

export type QueueCountsSource = () => Promise<{ waiting: number; delayed: number; active: number; completed: number; failed: number; paused: boolean }>;
export type InstanceSource = () => Array<{ url: string; reachable: boolean; inFlight: number; capacity: number; report?: { presets: Record<string, { runnable: boolean }> } | undefined }>;
export type MetricsSource = { queue?: QueueCountsSource; instances?: InstanceSource };

const sources = new Set<MetricsSource>();

/** Read `source` at every scrape until the returned function is called. */
export function addMetricsSource(source: MetricsSource): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

const JOB_STATES = ['waiting', 'delayed', 'active', 'completed', 'failed'] as const;

const jobsByState = new Gauge({
  name: 'oelala_jobs',
  help: 'Jobs in the queue by state (completed and failed are those still kept, 7 days by default).',
  labelNames: ['state'] as const,
  registers: [registry],
  async collect() {
    const queue = [...sources].find((source) => source.queue)?.queue;
    if (!queue) return;
    const counts = await queue();
    for (const state of JOB_STATES) this.set({ state }, counts[state]);
    queueDepth.set(counts.waiting + counts.delayed);
    queuePaused.set(counts.paused ? 1 : 0);
  },
});

const queueDepth = new Gauge({ name: 'oelala_queue_depth', help: 'Jobs not started yet (waiting + delayed retries).', registers: [registry] });
const queuePaused = new Gauge({ name: 'oelala_queue_paused', help: '1 while an admin has paused the queue.', registers: [registry] });

new Gauge({
  name: 'oelala_comfy_up',
  help: 'Per ComfyUI instance: 1 when its last preflight reached it and it can run at least one preset.',
  labelNames: ['instance'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const source of sources) {
      for (const instance of source.instances?.() ?? []) this.set({ instance: instance.url }, isUsable(instance) ? 1 : 0);
    }
  },
});

new Gauge({
  name: 'oelala_comfy_prompts_in_flight',
  help: 'Per ComfyUI instance: prompts this worker has in it (running + waiting in its queue).',
  labelNames: ['instance'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const source of sources) for (const instance of source.instances?.() ?? []) this.set({ instance: instance.url }, instance.inFlight);
  },
});

/** Pure: an instance a job could be sent to now. */
export function isUsable(instance: ReturnType<InstanceSource>[number]): boolean {
  return instance.reachable && Object.values(instance.report?.presets ?? {}).some((preset) => preset.runnable);
}

const started = new Counter({ name: 'oelala_jobs_started_total', help: 'Job attempts a worker started.', labelNames: ['preset'] as const, registers: [registry] });
const finished = new Counter({
  name: 'oelala_jobs_finished_total',
  help: 'Job attempts that ended, by outcome: completed, failed (retrying or not), cancelled, handed_back (shutdown).',
  labelNames: ['preset', 'outcome'] as const,
  registers: [registry],
});
const failures = new Counter({
  name: 'oelala_job_failures_total',
  help: 'Failed job attempts by kind (the stored failure code) and whether the job will be retried.',
  labelNames: ['kind', 'retrying'] as const,
  registers: [registry],
});
const waitSeconds = new Histogram({
  name: 'oelala_job_wait_seconds',
  help: 'Seconds from enqueue to a worker starting the job, per preset.',
  labelNames: ['preset'] as const,
  buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
  registers: [registry],
});
const gpuSeconds = new Histogram({
  name: 'oelala_job_gpu_seconds',
  help: 'Seconds ComfyUI spent on a delivered job (execution start to end), per preset.',
  labelNames: ['preset'] as const,
  buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
  registers: [registry],
});
const reencodes = new Counter({ name: 'oelala_reencodes_total', help: 'Delivered videos that had to be re-encoded to fit the upload limit.', labelNames: ['preset'] as const, registers: [registry] });
const deliveredBytes = new Counter({ name: 'oelala_delivered_bytes_total', help: 'Bytes of finished videos handed to Discord (or linked).', labelNames: ['preset'] as const, registers: [registry] });
const tooLarge = new Counter({ name: 'oelala_videos_too_large_total', help: 'Finished videos that did not fit even re-encoded (a frame and, with PUBLIC_BASE_URL, a link went out).', registers: [registry] });

/** The preset label of a job: its preset, or `upscale`. */
export type JobLabelSource = { kind: string; options: { preset: string } };
const presetOf = (data: JobLabelSource) => (data.kind === 'upscale' ? 'upscale' : data.options.preset);

/** The worker's processor calls these at each step of a job attempt's life. */
export const jobMetrics = {
  started(data: JobLabelSource, enqueuedAt: number, now = Date.now()) {
    const preset = presetOf(data);
    started.inc({ preset });
    waitSeconds.observe({ preset }, Math.max(0, (now - enqueuedAt) / 1000));
  },
  completed(data: JobLabelSource, result: { bytes: number; gpuSeconds: number; reencoded: boolean; fallbackFramePath?: string | undefined }) {
    const preset = presetOf(data);
    finished.inc({ preset, outcome: 'completed' });
    gpuSeconds.observe({ preset }, result.gpuSeconds);
    deliveredBytes.inc({ preset }, result.bytes);
    if (result.reencoded) reencodes.inc({ preset });
    if (result.fallbackFramePath) tooLarge.inc();
  },
  failed(data: JobLabelSource, kind: string, retrying: boolean) {
    finished.inc({ preset: presetOf(data), outcome: 'failed' });
    failures.inc({ kind, retrying: String(retrying) });
  },
  cancelled(data: JobLabelSource) {
    finished.inc({ preset: presetOf(data), outcome: 'cancelled' });
  },
  handedBack(data: JobLabelSource) {
    finished.inc({ preset: presetOf(data), outcome: 'handed_back' });
  },
};

const discordRequests = new Counter({
  name: 'oelala_discord_edits_total',
  help: 'Edits of status messages sent to Discord, by route (channel: bot token; interaction: the 15-minute token) and HTTP status.',
  labelNames: ['route', 'status'] as const,
  registers: [registry],
});
const discordRateLimited = new Counter({
  name: 'oelala_discord_429_total',
  help: 'Discord answers with HTTP 429 (rate limited), by route kind.',
  labelNames: ['route'] as const,
  registers: [registry],
});

/** Pure: which kind of Discord route a request went to, for labels of bounded cardinality. */
export function discordRouteKind(method: string, path: string): 'channel' | 'interaction' | 'other' {
  if (method !== 'PATCH') return 'other';
  if (/^\/channels\/[^/]+\/messages\/[^/]+$/.test(path)) return 'channel';
  if (/^\/webhooks\/[^/]+\/[^/]+\/messages\//.test(path)) return 'interaction';
  return 'other';
}

/** Count one Discord REST response (the `response` event of discord.js's REST client feeds it). */
export function countDiscordResponse(method: string, path: string, status: number): void {
  const kind = discordRouteKind(method, path);
  if (status === 429) discordRateLimited.inc({ route: kind });
  if (kind !== 'other') discordRequests.inc({ route: kind, status: String(status) });
}

/** What of discord.js's REST client this needs (`REST` fits). */
export type ObservableRest = { on(event: 'response', listener: (request: { method: string; path: string }, response: { status: number }) => void): unknown };

/** Count every edit and 429 of a discord.js REST client. (The path holds interaction tokens: it is classified, never kept.) */
export function observeDiscordRest(rest: ObservableRest): void {
  rest.on('response', (request, response) => countDiscordResponse(request.method.toUpperCase(), request.path, response.status));
}
