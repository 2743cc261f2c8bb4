import { ApplicationIntegrationType, InteractionContextType, MessageFlags, type AutocompleteInteraction } from 'discord.js';
import { clearWaiting, counts, getJob, listJobs, pauseQueue, resumeQueue, retryFailed, type JobState } from '../src/queue/index.ts';
import type { BotContext } from '../src/bot/context.ts';
import { optionNamed, OptionType, readOptions, type Command, type CommandData } from '../src/bot/command.ts';
import { cancelJob, cancelOutcomeText, renderJobLine } from '../src/bot/jobActions.ts';
import { isAdminInteraction, MANAGE_SERVER_PERMISSION, requireAdmin } from '../src/bot/permissions.ts';
import { renderCancelled } from '../src/status/statusMessage.ts';


export const data = {
  name: 'queue',
  description: 'Steer the video queue (admins)',
  default_member_permissions: MANAGE_SERVER_PERMISSION,
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  options: [
    { type: OptionType.Subcommand, name: 'status', description: 'How many jobs wait, run, finished and failed' },
    { type: OptionType.Subcommand, name: 'list', description: 'Waiting and running jobs, next first' },
    { type: OptionType.Subcommand, name: 'pause', description: 'Stop starting new jobs (running ones finish)' },
    { type: OptionType.Subcommand, name: 'resume', description: 'Start jobs again' },
    { type: OptionType.Subcommand, name: 'cancel', description: 'Cancel a waiting or running job', options: [{ type: OptionType.String, name: 'job', description: 'The job to cancel', autocomplete: true, required: true }] },
    {
      type: OptionType.Subcommand,
      name: 'clear',
      description: 'Remove every waiting job',
      options: [{ type: OptionType.Boolean, name: 'confirm', description: 'Set to True to really remove them' }],
    },
    { type: OptionType.Subcommand, name: 'retry', description: 'Send a failed job (or all failed jobs) back to the queue', options: [{ type: OptionType.String, name: 'job', description: 'A failed job; empty for all', autocomplete: true }] },
  ],
} as const satisfies CommandData;

const cancelSub = optionNamed(data.options, 'cancel');
const clearSub = optionNamed(data.options, 'clear');
const retrySub = optionNamed(data.options, 'retry');

async function run(sub: string, interaction: Parameters<Command['execute']>[0], bot: BotContext): Promise<string> {
  const by = interaction.user.id;
  switch (sub) {
    case 'status': {
      const c = await counts(bot.queue);
      return `${c.paused ? '⏸️ **Paused**' : '▶️ **Running**'} · ${c.waiting} waiting · ${c.active} running · ${c.delayed} retrying · ${c.completed} done · ${c.failed} failed (last 7 days)`;
    }
    case 'list': {
      const jobs = await listJobs(bot.queue, { states: ['active', 'waiting', 'delayed'], limit: 20 });
      return jobs.length === 0 ? 'The queue is empty.' : jobs.map(renderJobLine).join('\n');
    }
    case 'pause':
      await pauseQueue(bot.queue);
      return '⏸️ Paused: no new job starts; running jobs finish. `/queue resume` to continue.';
    case 'resume':
      await resumeQueue(bot.queue);
      bot.waiting.poke();
      return '▶️ Resumed.';
    case 'cancel': {
      const { job } = readOptions(interaction, cancelSub.options);
      return `\`${job}\`: ${cancelOutcomeText[await cancelJob(bot, job, by)]}`;
    }
    case 'clear': {
      const { confirm } = readOptions(interaction, clearSub.options);
      const waiting = await listJobs(bot.queue, { states: ['waiting', 'delayed'], limit: 1000 });
      if (!confirm) return `This would remove ${waiting.length} waiting job${waiting.length === 1 ? '' : 's'}. Run \`/queue clear confirm:True\` to do it.`;
      const removed = await clearWaiting(bot.queue, { by });
      for (const job of waiting) {
        const now = await getJob(bot.queue, job.id);
        if (now?.state === 'cancelled' && now.data.discord) void bot.statusEditor.showFinal(now.data.discord, renderCancelled({ jobId: job.id, data: now.data }));
      }
      bot.waiting.poke();
      return `Removed ${removed} waiting job${removed === 1 ? '' : 's'}.`;
    }
    case 'retry': {
      const { job } = readOptions(interaction, retrySub.options);
      const failed = job ? [job] : (await listJobs(bot.queue, { states: ['failed'], limit: 1000 })).map((j) => j.id);
      const retried = await retryFailed(bot.queue, job);
      for (const id of failed) {
        const target = (await getJob(bot.queue, id))?.data.discord;
        if (target) await bot.statusEditor.reopen(target.messageId);
      }
      bot.waiting.poke();
      return retried === 0 ? 'Nothing to retry (only failed jobs that were not cancelled can be retried).' : `Sent ${retried} job${retried === 1 ? '' : 's'} back to the queue.`;
    }
    default:
      return 'Unknown subcommand.';
  }
}

async function autocomplete(interaction: AutocompleteInteraction, bot: BotContext) {
  // Do not list other members' jobs to someone who cannot act on them.
  if (!isAdminInteraction(interaction, bot.config)) return interaction.respond([]);
  const states: JobState[] = interaction.options.getSubcommand() === 'retry' ? ['failed'] : ['active', 'waiting', 'delayed'];
  const typed = String(interaction.options.getFocused()).toLowerCase();
  const jobs = await listJobs(bot.queue, { states, limit: 50 });
  const choices = jobs
    .filter((job) => job.id.includes(typed) || job.data.options.prompt.toLowerCase().includes(typed))
    .slice(0, 25)
    .map((job) => ({ name: `${job.id} · ${job.state} · ${job.data.requester.name} · ${job.data.options.prompt}`.slice(0, 100), value: job.id }));
  await interaction.respond(choices);
}

export default {
  data,
  async execute(interaction, bot) {
    requireAdmin(interaction, bot.config);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const content = await run(interaction.options.getSubcommand(), interaction, bot);
    await interaction.editReply({ content: content.slice(0, 2000), allowedMentions: { parse: [] } });
  },
  autocomplete,
} satisfies Command;
