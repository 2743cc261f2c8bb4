import type { REST } from 'discord.js';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { QueueContext } from '../queue/index.ts';
import type { Presets } from '../workflow/presetSchema.ts';
import type { LoraCatalog } from './loraCatalog.ts';
import type { StatusEditor } from '../status/statusEditor.ts';
import type { ComfyAdmin } from './comfyAdmin.ts';
import type { WaitingRefresher } from './waitingRefresher.ts';

/** Everything a command handler may use, built once by the bot at start. */
export type BotContext = {
  config: Config;
  logger: Logger;
  queue: QueueContext;
  presets: Presets;
  /** The bot-token REST client (channel-route edits, posts, reactions). */
  rest: REST;
  statusEditor: StatusEditor;
  loras: LoraCatalog;
  comfy: ComfyAdmin;
  waiting: WaitingRefresher;
  now(): number;
};
