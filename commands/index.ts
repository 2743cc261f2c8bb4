import type { BotCommand, CommandData, MessageCommandData } from '../src/bot/command.ts';
import type { Presets } from '../src/workflow/presetSchema.ts';
import animate from './animate.ts';
import comfy from './comfy.ts';
import i2v from './i2v.ts';
import jobs from './jobs.ts';
import queue from './queue.ts';

/** Every command the bot answers (slash commands, then Apps → Animate); the same list is registered by `npm run register`. */
export const commands: readonly BotCommand[] = [i2v, jobs, queue, comfy, animate];

/** The JSON to register, with what depends on files read at start (preset choices) filled in. */
export function commandDefinitions(presets: Presets): Array<CommandData | MessageCommandData> {
  return commands.map((command) => ('definition' in command && command.definition ? command.definition({ presets }) : command.data));
}
