import { REST } from 'discord.js';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { observeDiscordRest } from '../ops/metrics.ts';
import { createRedisConnection } from '../queue/index.ts';
import { silentReporter, type Reporter } from '../queue/reporter.ts';
import { createDiscordReporter } from './discordReporter.ts';
import { createStatusEditor } from './statusEditor.ts';

/**
 * The Discord reporter for a worker running on its own (a GPU host): a REST client with
 * the bot token and a Redis connection for the final markers, no gateway.
 */
export function createRestReporter(config: Config, logger: Logger): { reporter: Reporter; close(): Promise<void> } {
  if (!config.DISCORD_TOKEN) {
    logger.warn('DISCORD_TOKEN is not set: this worker runs jobs but cannot update their Discord messages');
    return { reporter: silentReporter, close: async () => {} };
  }
  const rest = new REST({ api: config.DISCORD_API_BASE, version: '10' }).setToken(config.DISCORD_TOKEN);
  observeDiscordRest(rest);
  const redis = createRedisConnection(config.REDIS_URL, { logger, name: 'oelala-worker-discord' });
  const editor = createStatusEditor({ rest, redis, prefix: config.QUEUE_PREFIX, logger, intervalMs: config.EDIT_INTERVAL_MS });
  return {
    reporter: createDiscordReporter({ editor, redis, prefix: config.QUEUE_PREFIX, logger, keepResultSeconds: config.RESULT_KEEP_DAYS * 24 * 3600 }),
    async close() {
      await Promise.race([editor.idle(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      editor.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
