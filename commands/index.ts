import type { Command, CommandData } from '../src/bot/command.ts';
import type { Presets } from '../src/workflow/presetSchema.ts';
import comfy from './comfy.ts';
import i2v from './i2v.ts';
import jobs from './jobs.ts';
import queue from './queue.ts';

/** Every slash command the bot answers; the same list is registered by `npm run register`. */
export const commands: readonly Command[] = [i2v, jobs, queue, comfy];

/** The JSON to register, with what depends on files read at start (preset choices) filled in. */
export function commandDefinitions(presets: Presets): CommandData[] {
  return commands.map((command) => command.definition?.({ presets }) ?? command.data);
}
