import { ApplicationIntegrationType, InteractionContextType, MessageFlags } from 'discord.js';
import { listUserJobs } from '../src/queue/index.ts';
import type { Command, CommandData } from '../src/bot/command.ts';
import { renderJobLine } from '../src/bot/jobActions.ts';

export const data = {
  name: 'jobs',
  description: 'Your recent videos and where they stand',
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
} as const satisfies CommandData;

export default {
  data,
  async execute(interaction, bot) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const jobs = await listUserJobs(bot.queue, interaction.user.id, 10);
    const content =
      jobs.length === 0
        ? 'You have no videos yet. Start one with `/i2v` and an image.'
        : `**Your recent videos**\n${jobs.map(renderJobLine).join('\n')}\n-# React ❌ on a job's message to cancel it.`;
    await interaction.editReply({ content, allowedMentions: { parse: [] } });
  },
} satisfies Command;
