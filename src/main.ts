// Load discord.js before anything that imports undici 7 (src/comfy, src/media): the first undici
// to load installs the process-wide HTTP dispatcher, and discord.js's multipart uploads (the
// videos) fail with "action is not a function" on undici 7's. test/e2e/processes.test.ts guards it.
import 'discord.js';
import { ApplicationCommandType, REST, Routes } from 'discord.js';
import { commandDefinitions, commands } from '../commands/index.ts';
import { loadConfig, type Config } from './config.ts';
import { createLogger, type Logger } from './log.ts';
import { createDiscordReporter } from './status/discordReporter.ts';
import { createRestReporter } from './status/restReporter.ts';
import { startBot } from './bot/startBot.ts';
import { installShutdownSignals, startWorker } from './worker/index.ts';
import { createQueueContext } from './queue/index.ts';
import { loadPresets } from './workflow/loadPresets.ts';
import { observeDiscordRest } from './ops/metrics.ts';
import { startOps } from './ops/startOps.ts';

/**
 * Entry point: `all` (bot and worker in one process sharing one REST client), `bot`,
 * `worker`, or `register` (bulk-overwrite the slash commands, then exit).
 */

const MODES = ['all', 'bot', 'worker', 'register'] as const;
type Mode = (typeof MODES)[number];

function loggerFor(config: Config): Logger {
  return createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
}

async function register(): Promise<void> {
  const config = loadConfig(['register']);
  const presets = await loadPresets(config.PRESET_DIR);
  const rest = new REST({ api: config.DISCORD_API_BASE, version: '10' }).setToken(config.DISCORD_TOKEN ?? '');
  const appId = config.DISCORD_APP_ID ?? '';
  const route = config.DISCORD_GUILD_ID ? Routes.applicationGuildCommands(appId, config.DISCORD_GUILD_ID) : Routes.applicationCommands(appId);
  const registered = (await rest.put(route, { body: commandDefinitions(presets) })) as { name: string; id: string; type?: number }[];
  const where = config.DISCORD_GUILD_ID ? `in server ${config.DISCORD_GUILD_ID} (instant)` : 'globally (may take up to an hour to appear)';
  process.stdout.write(`Registered ${registered.length} commands ${where}:\n${registered.map((c) => (c.type === ApplicationCommandType.Message ? `  Apps → ${c.name} (${c.id})` : `  /${c.name} (${c.id})`)).join('\n')}\n`);
}

async function runBot(): Promise<void> {
  const config = loadConfig(['bot']);
  const logger = loggerFor(config);
  const ops = await startOps({ config, logger });
  const bot = await startBot({ config, logger, commands });
  observeDiscordRest(bot.rest);
  ops.attach({ queue: bot.context.queue, gateway: bot.client });
  const stop = async () => {
    await ops.close();
    await bot.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

async function runWorker(): Promise<void> {
  const config = loadConfig(['worker']);
  const logger = loggerFor(config);
  const ops = await startOps({ config, logger });
  const discord = createRestReporter(config, logger);
  const queue = createQueueContext({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, logger });
  const worker = startWorker({ config, reporter: discord.reporter, logger, queueContext: queue });
  ops.attach({ queue, worker });
  const then = (step: () => Promise<void>) => async () => {
    await step();
    await discord.close();
    await ops.close();
    await queue.close();
  };
  installShutdownSignals({ shutdown: then(() => worker.shutdown()), stopNow: then(() => worker.stopNow()) }, { logger });
  await worker.ready;
}

async function runAll(): Promise<void> {
  const config = loadConfig(['bot', 'worker']);
  const logger = loggerFor(config);
  const ops = await startOps({ config, logger });
  const bot = await startBot({ config, logger, commands });
  observeDiscordRest(bot.rest);
  const { queue } = bot.context;
  const reporter = createDiscordReporter({ editor: bot.statusEditor, redis: queue.redis, prefix: queue.prefix, logger, keepResultSeconds: config.RESULT_KEEP_DAYS * 24 * 3600 });
  const worker = startWorker({ config, reporter, logger, queueContext: queue });
  ops.attach({ queue, gateway: bot.client, worker });
  // First signal: the worker drains (running jobs finish within the grace period), then the bot lets its last edits out.
  const then = (step: () => Promise<void>) => async () => {
    await step();
    await bot.close();
    await ops.close();
    await queue.close();
  };
  installShutdownSignals({ shutdown: then(() => worker.shutdown()), stopNow: then(() => worker.stopNow()) }, { logger });
  await worker.ready;
}

const mode = (process.argv[2] ?? 'all') as Mode;
if (!MODES.includes(mode)) {
  process.stderr.write(`usage: tsx src/main.ts ${MODES.join('|')}\n`);
  process.exit(2);
}
const run = { all: runAll, bot: runBot, worker: runWorker, register }[mode];
run().catch((error: unknown) => {
  process.stderr.write(`oelala-bot (${mode}) failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
