import { randomBytes } from 'node:crypto';
import { DiscordAPIError, MessageFlags, type Interaction } from 'discord.js';
import { isUserError } from '../errors.ts';
import type { Logger } from '../log.ts';

/**
 * The one try/catch around every interaction. A member sees a plain sentence (a
 * UserError as written, anything else as "something broke" with a reference id); the
 * details — ids, cause chain, stack — go to the log only.
 */

/** A short id a member can quote to an admin, matching a log line. */
export function referenceId(): string {
  return randomBytes(4).toString('hex').slice(0, 6);
}

export function internalErrorMessage(reference: string): string {
  return `Something went wrong on my side, sorry. Nothing was queued. Please try again in a moment; if it keeps happening, tell an admin the reference \`${reference}\`.`;
}

/** Interaction-token errors after which answering is pointless (expired, unknown, already answered). */
const DEAD_TOKEN_CODES = new Set([10062, 10015, 40060, 50027]);

export function isDeadTokenError(error: unknown): boolean {
  return error instanceof DiscordAPIError && DEAD_TOKEN_CODES.has(Number(error.code));
}

export async function withErrorBoundary(interaction: Interaction, logger: Logger, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const ids = {
      interactionId: interaction.id,
      userId: interaction.user.id,
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      command: interaction.isCommand() || interaction.isAutocomplete() ? interaction.commandName : undefined,
    };
    if (isUserError(error)) {
      logger.info({ ...ids, code: error.code }, 'refused');
      await answerPrivately(interaction, error.message, logger);
      return;
    }
    const reference = referenceId();
    logger.error({ ...ids, reference, err: error }, 'interaction failed');
    await answerPrivately(interaction, internalErrorMessage(reference), logger);
  }
}

/**
 * Say something only the member sees, whatever state the interaction is in. A public
 * deferral is deleted first so nothing public is left behind.
 */
export async function answerPrivately(interaction: Interaction, message: string, logger: Logger): Promise<void> {
  if (interaction.isAutocomplete()) {
    if (!interaction.responded) await interaction.respond([]).catch(() => {});
    return;
  }
  if (!interaction.isRepliable()) return;
  const body = { content: message, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } } as const;
  try {
    if (!interaction.deferred && !interaction.replied) {
      await interaction.reply(body);
    } else if (interaction.deferred && interaction.ephemeral && !interaction.replied) {
      await interaction.editReply({ content: message, allowedMentions: { parse: [] } });
    } else {
      if (!interaction.ephemeral) await interaction.deleteReply().catch(() => {});
      await interaction.followUp(body);
    }
  } catch (error) {
    if (isDeadTokenError(error)) logger.info({ interactionId: interaction.id }, 'could not answer: the interaction token is no longer valid');
    else logger.warn({ interactionId: interaction.id, err: error }, 'could not answer the member');
  }
}
