import { getJob, requestCancel, type CancelOutcome, type QueueJob } from '../queue/index.ts';
import type { BotContext } from './context.ts';
import { renderCancelled } from '../status/statusMessage.ts';

/**
 * Cancel a job for a member or an admin. A waiting job is removed here, so the bot
 * shows it cancelled; a running one is signalled and its worker reports the end.
 */
export async function cancelJob(bot: BotContext, jobId: string, by: string): Promise<CancelOutcome> {
  const outcome = await requestCancel(bot.queue, jobId, { by });
  if (outcome === 'removed') {
    const job = await getJob(bot.queue, jobId);
    if (job?.data.discord) await bot.statusEditor.showFinal(job.data.discord, renderCancelled({ jobId, data: job.data }));
    bot.waiting.poke();
  }
  return outcome;
}

export const cancelOutcomeText: Record<CancelOutcome, string> = {
  removed: 'Cancelled; it had not started yet.',
  signalled: 'Stopping it now; its message will say when it has stopped.',
  not_found: 'There is no such job (it may have finished more than a week ago).',
  already_finished: 'That job has already finished.',
};

const stateIcons: Record<QueueJob['state'], string> = {
  waiting: '⏳',
  delayed: '🔁',
  active: '🎬',
  completed: '✅',
  failed: '❌',
  cancelled: '🚫',
};

/** One line per job for /jobs and /queue list. Pure. */
export function renderJobLine(job: QueueJob): string {
  const parts = [`${stateIcons[job.state]} \`${job.id}\``];
  if (job.state === 'waiting' && job.position !== undefined) parts.push(`position ${job.position + 1}`);
  else if (job.state === 'delayed') parts.push('retrying soon');
  else if (job.state === 'active') parts.push(job.progress ? `${Math.round(job.progress.percent)}%` : 'starting');
  else parts.push(job.state);
  parts.push(job.data.kind === 'upscale' ? 'upscale' : job.data.options.preset);
  const prompt = job.data.options.prompt.replace(/\s+/g, ' ').trim();
  if (prompt) parts.push(`“${prompt.length > 40 ? `${prompt.slice(0, 39)}…` : prompt.replace(/[`*_~|]/g, '')}”`);
  const target = job.data.discord;
  if (target?.guildId) parts.push(`[message](https://discord.com/channels/${target.guildId}/${target.channelId}/${target.messageId})`);
  return parts.join(' · ');
}
