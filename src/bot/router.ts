import type { Interaction } from 'discord.js';
import { isMessageCommand, type BotCommand, type Command, type MessageCommand } from './command.ts';
import { routeComponent } from './components.ts';
import type { BotContext } from './context.ts';
import { withErrorBoundary } from './errorBoundary.ts';

/** Route each interaction to its command, button or form, inside the one error boundary. */
export function createInteractionRouter(commands: readonly BotCommand[], bot: BotContext): (interaction: Interaction) => Promise<void> {
  const slash = new Map<string, Command>();
  const onMessage = new Map<string, MessageCommand>();
  for (const command of commands) {
    if (isMessageCommand(command)) onMessage.set(command.data.name, command);
    else slash.set(command.data.name, command);
  }
  return async (interaction) => {
    if (interaction.isButton() || interaction.isModalSubmit()) {
      await withErrorBoundary(interaction, bot.logger, () => routeComponent(interaction, bot));
      return;
    }
    if (interaction.isMessageContextMenuCommand()) {
      const command = onMessage.get(interaction.commandName);
      if (!command) return stale(bot, interaction.commandName, interaction.id);
      await withErrorBoundary(interaction, bot.logger, () => command.execute(interaction, bot));
      return;
    }
    if (!interaction.isChatInputCommand() && !interaction.isAutocomplete()) return;
    const command = slash.get(interaction.commandName);
    if (!command) return stale(bot, interaction.commandName, interaction.id);
    await withErrorBoundary(interaction, bot.logger, async () => {
      if (interaction.isAutocomplete()) await command.autocomplete?.(interaction, bot);
      else await command.execute(interaction, bot);
    });
  };
}

function stale(bot: BotContext, command: string, interactionId: string): void {
  bot.logger.warn({ command, interactionId }, 'interaction for a command we do not have (stale registration?)');
}
