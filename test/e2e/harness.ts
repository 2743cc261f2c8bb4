import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { Redis } from 'ioredis';
import { commands } from '../../commands/index.ts';
import { parseConfig, type Config } from '../../src/config.ts';
import { createLogger, silentLogger } from '../../src/log.ts';

/** OELALA_TEST_LOG=debug shows the bot's and worker's logs while a test runs. */
const logger = process.env.OELALA_TEST_LOG ? createLogger({ level: process.env.OELALA_TEST_LOG, format: 'json' }) : silentLogger;
import { startBot, type RunningBot } from '../../src/bot/startBot.ts';
import { createRestReporter } from '../../src/status/restReporter.ts';
import { startComfySimulator, type ComfySimulator, type SimulatorKnobs } from '../../src/simulator/index.ts';
import { startWorker, type WorkerHandle } from '../../src/worker/index.ts';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordStartOptions } from '../support/fake-discord/index.ts';
import { discordEnvFor, registerCommands } from '../support/botOnFake.ts';

/**
 * One end-to-end world: the fake Discord, real Redis under a unique prefix, a temporary
 * DATA_DIR, the commands registered, and the real bot logged in. `close()` undoes all of it.
 */

export type HarnessOptions = {
  env?: Record<string, string>;
  fake?: FakeDiscordStartOptions;
  /** Start the ComfyUI simulator and a real worker in-process (reporting through REST, like a GPU host). */
  withWorker?: { knobs?: Partial<SimulatorKnobs> };
};

export type Harness = {
  fake: FakeDiscord;
  config: Config;
  bot: RunningBot;
  redis: Redis;
  dataDir: string;
  simulator: ComfySimulator | undefined;
  worker: WorkerHandle | undefined;
  /** Start the bot again (a restart): the old one is closed first. */
  restartBot(): Promise<RunningBot>;
  close(): Promise<void>;
};

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeDiscord(options.fake);
  const simulator = options.withWorker ? await startComfySimulator({ knobs: options.withWorker.knobs ?? {} }) : undefined;
  const prefix = `oelala-test-${randomUUID().slice(0, 8)}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'oelala-e2e-'));
  const parsed = parseConfig({
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    ...discordEnvFor(fake),
    COMFYUI_URL: simulator?.url ?? 'http://127.0.0.1:9',
    QUEUE_PREFIX: prefix,
    DATA_DIR: dataDir,
    PRESET_DIR: resolve('presets'),
    WORKFLOW_DIR: resolve('workflows'),
    EDIT_INTERVAL_MS: '300',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const config = parsed.config;
  await registerCommands(fake, config.PRESET_DIR);
  const redis = new Redis(config.REDIS_URL);
  let bot = await startBot({ config, logger, commands });
  const discord = simulator ? createRestReporter(config, logger) : undefined;
  const worker = discord
    ? startWorker({ config, reporter: discord.reporter, logger, tuning: { pipeline: { progressIntervalMs: 100, previewIntervalMs: 200, pollIntervalMs: 200 } } })
    : undefined;
  await worker?.ready;
  return {
    fake,
    config,
    get bot() {
      return bot;
    },
    redis,
    dataDir,
    simulator,
    worker,
    async restartBot() {
      await bot.close();
      bot = await startBot({ config, logger, commands });
      return bot;
    },
    async close() {
      await worker?.close();
      await discord?.close();
      await bot.close();
      await simulator?.close();
      await fake.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A small real PNG, as a member's photo would be. */
export async function testImage(width = 640, height = 360): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 120, b: 40 } } })
    .png()
    .toBuffer();
}

export const EPHEMERAL = 64;
