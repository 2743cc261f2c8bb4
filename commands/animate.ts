import { ApplicationCommandType } from 'discord.js';
import { onAnimateCommand } from '../src/bot/animate.ts';
import type { MessageCommand, MessageCommandData } from '../src/bot/command.ts';

/** Apps → Animate on a message with a picture: the same as /i2v with that picture. */
export const data = {
  type: ApplicationCommandType.Message,
  name: 'Animate',
  contexts: [0],
  integration_types: [0],
} as const satisfies MessageCommandData;

export default {
  data,
  execute: onAnimateCommand,
} satisfies MessageCommand;
