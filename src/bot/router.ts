import type { Interaction } from 'discord.js';
import type { Command } from './command.ts';
import type { BotContext } from './context.ts';
import { withErrorBoundary } from './errorBoundary.ts';

/** Route each interaction to its command, inside the one error boundary. */
export function createInteractionRouter(commands: readonly Command[], bot: BotContext): (interaction: Interaction) => Promise<void> {
  const byName = new Map(commands.map((command) => [command.data.name, command]));
  return async (interaction) => {
    if (!interaction.isChatInputCommand() && !interaction.isAutocomplete()) return;
    const command = byName.get(interaction.commandName);
    if (!command) {
      bot.logger.warn({ command: interaction.commandName, interactionId: interaction.id }, 'interaction for a command we do not have (stale registration?)');
      return;
    }
    await withErrorBoundary(interaction, bot.logger, async () => {
      if (interaction.isAutocomplete()) await command.autocomplete?.(interaction, bot);
      else await command.execute(interaction, bot);
    });
  };
}
