import { Client, Events, GatewayIntentBits, Options, Partials, type REST } from 'discord.js';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { createComfyClient } from '../comfy/client.ts';
import { createQueueContext, type QueueContext } from '../queue/index.ts';
import { loadPresets } from '../workflow/loadPresets.ts';
import { loadWorkflows } from '../workflow/loadWorkflows.ts';
import { describeVramFit, MODEL_ROLES, preflight, quantisationOfSet } from '../workflow/index.ts';
import type { BotCommand } from './command.ts';
import { createComfyAdmin } from './comfyAdmin.ts';
import type { BotContext } from './context.ts';
import { createLoraCatalog } from './loraCatalog.ts';
import { onReactionAdd } from './reactions.ts';
import { createInteractionRouter } from './router.ts';
import { createStatusEditor, type StatusEditor } from '../status/statusEditor.ts';
import { createWaitingRefresher } from './waitingRefresher.ts';

/**
 * The bot process: one gateway connection with the least it needs (guilds, guild
 * reactions; partials for reactions on messages from before a restart), REST pointed at
 * DISCORD_API_BASE. Commands are never registered here: that is `npm run register`.
 */

export type StartBotOptions = {
  config: Config;
  logger: Logger;
  commands: readonly BotCommand[];
  /** Share a queue context (tests, the all-in-one process); default: its own. */
  queue?: QueueContext;
};

export type RunningBot = {
  client: Client;
  rest: REST;
  context: BotContext;
  statusEditor: StatusEditor;
  /** Stop answering, let pending status edits out (bounded), disconnect. */
  close(): Promise<void>;
};

export async function startBot(options: StartBotOptions): Promise<RunningBot> {
  const { config, logger } = options;
  const presets = await loadPresets(config.PRESET_DIR);
  const ownsQueue = !options.queue;
  const queue = options.queue ?? createQueueContext({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, logger });
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessageReactions],
    partials: [Partials.Message, Partials.Channel, Partials.Reaction],
    rest: { api: config.DISCORD_API_BASE },
    // Everything a job needs is in Redis: the bot keeps only a few recent messages (reactions
    // on older ones arrive as partials and are fetched), which keeps it inside its memory budget.
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 25, ReactionManager: 10, ReactionUserManager: 10 }),
    sweepers: { ...Options.DefaultSweeperSettings, messages: { interval: 600, lifetime: 1800 } },
  });
  const rest = client.rest;
  const statusEditor = createStatusEditor({ rest, redis: queue.redis, prefix: queue.prefix, logger, intervalMs: config.EDIT_INTERVAL_MS });
  const workflows = await loadWorkflows(config.WORKFLOW_DIR, presets);
  const comfy = createComfyAdmin({
    clients: config.COMFYUI_URL.map((baseUrl) => createComfyClient({ baseUrl, logger })),
    presetCheck: async (instance, signal) => {
      const report = await preflight(instance, presets, workflows, signal);
      return Object.entries(report.presets).map(([preset, p]) => ({
        preset,
        ok: p.runnable,
        why: p.missing.length > 0 ? p.missing.join('; ') : undefined,
        models: p.models ? `${quantisationOfSet(p.models) ?? 'models'}: ${MODEL_ROLES.map((role) => `\`${p.models?.[role]}\``).join(', ')}` : undefined,
        vram: describeVramFit(p.vram),
      }));
    },
    logger,
  });
  const loras = createLoraCatalog({ fetchNames: (signal) => comfy.loraNames(signal), logger });
  const waiting = createWaitingRefresher({
    queue,
    slots: config.COMFYUI_URL.length,
    statusEditor,
    logger,
  });
  const context: BotContext = { config, logger, queue, presets, rest, statusEditor, loras, comfy, waiting, now: Date.now };

  const route = createInteractionRouter(options.commands, context);
  client.on(Events.InteractionCreate, (interaction) => void route(interaction));
  client.on(Events.MessageReactionAdd, (reaction, user) => {
    onReactionAdd(reaction, user, context, client.user?.id).catch((error: unknown) =>
      logger.error({ err: error, messageId: reaction.message.id, userId: user.id }, 'reaction failed'),
    );
  });
  client.on(Events.Error, (error) => logger.warn({ err: error }, 'discord client error'));

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(config.DISCORD_TOKEN);
    await ready;
  } catch (error) {
    // A bad token or an unreachable Discord: release what was opened so the process can exit cleanly.
    await waiting.close();
    statusEditor.close();
    await client.destroy();
    if (ownsQueue) await queue.close();
    throw error;
  }
  logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'bot ready');
  // Show current positions (a restarted bot picks up messages of jobs still waiting) and warm the LoRA list.
  waiting.poke();
  void loras.refresh();

  return {
    client,
    rest,
    context,
    statusEditor,
    async close() {
      client.removeAllListeners(Events.InteractionCreate);
      client.removeAllListeners(Events.MessageReactionAdd);
      await waiting.close();
      await Promise.race([statusEditor.idle(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      statusEditor.close();
      await client.destroy();
      if (ownsQueue) await queue.close();
    },
  };
}
