import type { Interaction } from 'discord.js';
import { UserError } from '../errors.ts';
import { loadResult, type StoredResult } from '../queue/index.ts';
import type { BotContext } from './context.ts';
import { isAdminInteraction } from './permissions.ts';

/**
 * Every click on a result's button starts here: the result is read from Redis by the
 * job id in the button (so it works after a restart and weeks later), and only the
 * member who asked and admins may go on. Anyone else is told privately; nothing changes.
 */
export async function resultForMember(interaction: Interaction, bot: BotContext, jobId: string): Promise<StoredResult> {
  const record = await loadResult(bot.queue, jobId);
  if (!record) {
    throw new UserError(
      'result_expired',
      `I no longer keep what made this video (results are kept ${bot.config.RESULT_KEEP_DAYS} days), so its buttons have expired. Run \`/i2v\` again with the image.`,
    );
  }
  if (record.data.requester.userId !== interaction.user.id && !isAdminInteraction(interaction, bot.config)) {
    throw new UserError('not_yours', 'Not yours: these buttons belong to the member who asked for this video. Make your own with `/i2v` or Apps → Animate on a message with a picture.');
  }
  return record;
}

/** The member who asked keeps their name on the new job; an admin acting on it becomes the requester. */
export function requesterFor(interaction: Interaction, record: StoredResult): StoredResult['data']['requester'] {
  if (interaction.user.id === record.data.requester.userId) return record.data.requester;
  return { userId: interaction.user.id, name: interaction.user.globalName ?? interaction.user.username };
}
