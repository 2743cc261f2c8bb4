import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { commands } from '../../commands/index.ts';
import { createDiscordReporter } from '../../src/status/discordReporter.ts';
import { createRestReporter } from '../../src/status/restReporter.ts';
import { startBot, type RunningBot } from '../../src/bot/startBot.ts';
import { parseConfig, type Config } from '../../src/config.ts';
import { createLogger, silentLogger, type Logger } from '../../src/log.ts';
import { createQueueContext, type JobDefaults, type QueueContext } from '../../src/queue/index.ts';
import { startComfySimulator, type ComfySimulator, type SimulatorKnobs } from '../../src/simulator/index.ts';
import type { Reporter } from '../../src/queue/reporter.ts';
import { startWorker, type WorkerHandle, type WorkerTuning } from '../../src/worker/startWorker.ts';
import { recordingReporter } from '../worker/helpers.ts';
import { discordEnvFor, registerCommands } from './botOnFake.ts';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordStartOptions } from './fake-discord/index.ts';
import { writeStartImage } from './jobs.ts';
import { checkNoLeaks, openHandles } from './leaks.ts';

/**
 * One world for tests and the bench: real Redis under a key prefix no one else uses, a
 * temporary DATA_DIR with a start image, a Config like production's, and on request the
 * fake Discord (commands registered), the real bot, ComfyUI simulators and real workers.
 * `close()` stops all of it, deletes the prefix's keys (SCAN) and the files, and then
 * fails if anything opened while the world lived is still open (a worker, a bot, a Redis
 * connection, a simulator or any other socket or server), as graphile-worker's test
 * helpers fail a test that leaves workers running.
 */

export type WorldOptions = {
  /** Names the prefix (`oelala-<purpose>-…`) and temp dir; the bench's worlds are `bench`. Default `test`. */
  purpose?: 'test' | 'bench';
  /** Start the fake Discord and point the config at it. */
  discord?: boolean | FakeDiscordStartOptions;
  /** Register the commands and start the real bot (needs `discord`). `sharedQueue`: the bot uses `world.queue`, as `npm start` runs it beside a worker. */
  bot?: boolean | { sharedQueue?: boolean };
  /** Start ComfyUI simulators (default knobs: 0.02 s per step) and put their URLs in COMFYUI_URL. */
  simulators?: { count?: number; knobs?: Partial<SimulatorKnobs> };
  /** ComfyUIs that already run (the bench's proxies, the real rig) instead of simulators. */
  comfyUrls?: readonly string[];
  /** Start one worker now (more with `world.startWorker`). */
  worker?: WorkerOptions;
  /** Tuning of every worker of this world (a worker's own `tuning` goes over it), e.g. `quickTuning`. */
  tuning?: Partial<WorkerTuning>;
  /** Environment over the world's own (QUEUE_PREFIX, DATA_DIR, …). */
  env?: Record<string, string>;
  /** Job defaults of `world.queue` (e.g. a short retry backoff). */
  jobDefaults?: Partial<JobDefaults>;
  logger?: Logger;
  /** Fail `close()` when sockets, servers or child processes made during the world outlive it; default true for tests, false for the bench (the hook it needs would slow what the bench times). */
  leakCheck?: boolean;
};

export type WorkerOptions = {
  /**
   * Where the worker reports: `recording` (default: `world.recorded`, shares `world.queue`),
   * `rest` (its own REST client and queue connections, like a GPU host), `bot` (the bot's
   * status editor and `world.queue`, as `npm start` runs both), or a Reporter of your own.
   */
  reports?: 'recording' | 'rest' | 'bot' | Reporter;
  /** Wraps the reporter (e.g. to time its calls). */
  wrap?: (reporter: Reporter) => Reporter;
  tuning?: Partial<WorkerTuning>;
  /** Environment over the world's for this worker (e.g. PROMPTS_PER_INSTANCE). */
  env?: Record<string, string>;
  /** Its own queue connections (as a separate process has) instead of `world.queue`; always so with `rest`. */
  ownQueue?: boolean;
};

export type World = {
  prefix: string;
  dataDir: string;
  config: Config;
  /** The world's queue (enqueue, inspect); its `redis` is `world.redis`. */
  queue: QueueContext;
  redis: Redis;
  /** A 256×192 PNG at `<dataDir>/start.png`, for job data that points at a file. */
  input: string;
  /** Every call of the `recording` reporters. */
  recorded: ReturnType<typeof recordingReporter>;
  sims: ComfySimulator[];
  /** The first simulator; throws when the world has none. */
  readonly simulator: ComfySimulator;
  /** Throws when the world has no fake Discord. */
  readonly fake: FakeDiscord;
  /** The running bot (a new one after `restartBot`); throws when the world has none. */
  readonly bot: RunningBot;
  /** Workers started so far, oldest first. */
  workers: WorkerHandle[];
  /** The first worker; throws when none was started. */
  readonly worker: WorkerHandle;
  /** The world's config with some variables changed. */
  configWith(env: Record<string, string>): Config;
  startWorker(options?: WorkerOptions): Promise<WorkerHandle>;
  /** Start the bot again (a restart): the old one is closed first. */
  restartBot(): Promise<RunningBot>;
  /** Prompts the simulators received for a job, in order. */
  promptsOf(jobId: string): ComfySimulator['timeline'];
  close(): Promise<void>;
};

/** Quick timings so takeovers and polls happen within a test's patience. */
export const quickTuning = {
  lockDurationMs: 2000,
  stalledIntervalMs: 500,
  pipeline: { pollIntervalMs: 100, progressIntervalMs: 20 },
} as const satisfies Partial<WorkerTuning>;

/** OELALA_TEST_LOG=debug (tests) or BENCH_LOG=debug (bench) shows the bot's and worker's logs. */
export function worldLogger(purpose: 'test' | 'bench' = 'test'): Logger {
  const level = purpose === 'bench' ? process.env.BENCH_LOG : process.env.OELALA_TEST_LOG;
  return level ? createLogger({ level, format: 'json' }) : silentLogger;
}

const repo = join(import.meta.dirname, '../..');

/** The project's config pointed at its presets and workflows, with test-friendly defaults. */
export function worldConfig(env: Record<string, string>): Config {
  const parsed = parseConfig({
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    PRESET_DIR: join(repo, 'presets'),
    WORKFLOW_DIR: join(repo, 'workflows'),
    FFMPEG_PATH: process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg',
    LOG_LEVEL: 'silent',
    ...env,
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.config;
}

/** Delete every key under `prefix:` with SCAN (KEYS would stall the shared Redis). */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

export async function openWorld(options: WorldOptions = {}): Promise<World> {
  const purpose = options.purpose ?? 'test';
  const logger = options.logger ?? worldLogger(purpose);
  const leakCheck = options.leakCheck ?? purpose === 'test';
  const handlesBefore = leakCheck ? openHandles() : new Set<number>();
  const cleanups: Array<() => Promise<void>> = [];
  const undo = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };
  try {
    const fake = options.discord ? await startFakeDiscord(options.discord === true ? undefined : options.discord) : undefined;
    if (fake) cleanups.push(() => fake.close());
    const sims: ComfySimulator[] = [];
    for (let i = 0; i < (options.simulators ? (options.simulators.count ?? 1) : 0); i += 1) {
      const sim = await startComfySimulator({ knobs: { secondsPerStep: 0.02, ...options.simulators?.knobs } });
      sims.push(sim);
      cleanups.push(() => sim.close());
    }
    const prefix = `oelala-${purpose}-${randomBytes(4).toString('hex')}`;
    const dataDir = await mkdtemp(join(tmpdir(), `oelala-${purpose}-`));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const comfyUrls = options.comfyUrls ?? sims.map((sim) => sim.url);
    const baseEnv: Record<string, string> = {
      ...(fake ? discordEnvFor(fake) : {}),
      COMFYUI_URL: comfyUrls.length > 0 ? comfyUrls.join(',') : 'http://127.0.0.1:9',
      QUEUE_PREFIX: prefix,
      DATA_DIR: dataDir,
      ...(purpose === 'test' ? { EDIT_INTERVAL_MS: '300', SHUTDOWN_GRACE_SECONDS: '1' } : {}),
      ...options.env,
    };
    const configWith = (env: Record<string, string>) => worldConfig({ ...baseEnv, ...env });
    const config = configWith({});
    const queue = createQueueContext({ redisUrl: config.REDIS_URL, prefix, logger, ...(options.jobDefaults ? { jobDefaults: options.jobDefaults } : {}) });
    cleanups.push(async () => {
      await queue.queue.obliterate({ force: true }).catch(() => {});
      await dropPrefix(queue.redis, prefix);
      await queue.close();
    });
    const input = join(dataDir, 'start.png');
    await writeStartImage(input);
    const recorded = recordingReporter();

    const botOptions = typeof options.bot === 'object' ? options.bot : {};
    const launchBot = () => startBot({ config, logger, commands, ...(botOptions.sharedQueue ? { queue } : {}) });
    let bot: RunningBot | undefined;
    if (options.bot) {
      if (!fake) throw new Error('openWorld: a bot needs the fake Discord (discord: true)');
      await registerCommands(fake, config.PRESET_DIR);
      bot = await launchBot();
    }
    const workers: WorkerHandle[] = [];
    // Closed before the bot (a worker may report through it) and before the queue.
    const stopWorkers = async () => {
      for (const worker of workers.splice(0).reverse()) await worker.close();
    };

    async function startTestWorker(workerOptions: WorkerOptions = {}): Promise<WorkerHandle> {
      const reports = workerOptions.reports ?? 'recording';
      let reporter: Reporter;
      let sharesQueue = !workerOptions.ownQueue;
      if (reports === 'recording') reporter = recorded.reporter;
      else if (reports === 'rest') {
        const rest = createRestReporter(config, logger);
        cleanups.push(() => rest.close());
        reporter = rest.reporter;
        sharesQueue = false;
      } else if (reports === 'bot') {
        if (!bot) throw new Error('openWorld: reports "bot" needs the bot');
        reporter = createDiscordReporter({ editor: bot.statusEditor, redis: queue.redis, prefix, logger });
      } else reporter = reports;
      const worker = startWorker({
        config: configWith(workerOptions.env ?? {}),
        reporter: workerOptions.wrap ? workerOptions.wrap(reporter) : reporter,
        logger,
        ...(sharesQueue ? { queueContext: queue } : {}),
        tuning: { ...options.tuning, ...workerOptions.tuning },
      });
      workers.push(worker);
      await worker.ready;
      return worker;
    }

    if (options.worker) await startTestWorker(options.worker);
    let closed = false;
    const world: World = {
      prefix,
      dataDir,
      config,
      queue,
      redis: queue.redis,
      input,
      recorded,
      sims,
      get simulator() {
        const sim = sims[0];
        if (!sim) throw new Error('this world has no simulator (simulators: {})');
        return sim;
      },
      get fake() {
        if (!fake) throw new Error('this world has no fake Discord (discord: true)');
        return fake;
      },
      get bot() {
        if (!bot) throw new Error('this world has no bot (bot: true)');
        return bot;
      },
      workers,
      get worker() {
        const worker = workers[0];
        if (!worker) throw new Error('this world has no worker (worker: {} or startWorker())');
        return worker;
      },
      configWith,
      startWorker: startTestWorker,
      async restartBot() {
        if (!bot) throw new Error('this world has no bot (bot: true)');
        await bot.close();
        bot = await launchBot();
        return bot;
      },
      promptsOf: (jobId) => sims.flatMap((sim) => sim.timeline.filter((entry) => entry.promptId.startsWith(`${jobId}-`))),
      async close() {
        if (closed) return;
        closed = true;
        await stopWorkers();
        await bot?.close();
        await undo();
        if (leakCheck) await checkNoLeaks(handlesBefore);
      },
    };
    return world;
  } catch (error) {
    await undo();
    throw error;
  }
}
