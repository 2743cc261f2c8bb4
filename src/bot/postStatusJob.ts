import { createHash } from 'node:crypto';
import { access } from 'node:fs/promises';
import { Routes } from 'discord.js';
import { UserError } from '../errors.ts';
import { createJobId, enqueueJob, type JobData } from '../queue/index.ts';
import type { BotContext } from './context.ts';
import { renderWaiting } from '../status/statusMessage.ts';

/**
 * What ✏️, ⏩ and Animate share after their form is submitted: a new status message in
 * the channel, replying to the message it came from (posted with the bot token, so it
 * outlives any interaction token), then the job that will edit it.
 */

export type StatusPlace = { channelId: string; guildId?: string | undefined; replyToMessageId: string };

export async function postStatusAndEnqueue(bot: BotContext, data: JobData, place: StatusPlace, jobId = createJobId()): Promise<{ jobId: string; messageId: string; link: string }> {
  const shown = await bot.waiting.estimateNext(data);
  const view = renderWaiting({ jobId, data, ...shown });
  const posted = (await bot.rest.post(Routes.channelMessages(place.channelId), {
    body: {
      content: view.content,
      allowed_mentions: { parse: [] },
      message_reference: { message_id: place.replyToMessageId, fail_if_not_exists: false },
    },
  })) as { id: string };
  data.discord = { ...(place.guildId ? { guildId: place.guildId } : {}), channelId: place.channelId, messageId: posted.id, replyToMessageId: place.replyToMessageId };
  bot.waiting.noteShown(posted.id, shown);
  bot.statusEditor.noteEdited({ channelId: place.channelId, messageId: posted.id });
  await enqueueJob(bot.queue, data, { jobId });
  bot.waiting.poke();
  return { jobId, messageId: posted.id, link: messageLink(place.guildId, place.channelId, posted.id) };
}

export function messageLink(guildId: string | undefined, channelId: string, messageId: string): string {
  return `https://discord.com/channels/${guildId ?? '@me'}/${channelId}/${messageId}`;
}

/** Seconds a submitted form is remembered: the same values again in that time are the same request. */
const FORM_DEDUPE_SECONDS = 60;

export type SubmitClaim = { first: boolean; /** Forget the claim (the job could not be queued), so trying again works. */ release(): Promise<void> };

/** `first` only the first time these exact parts are seen: two fast submits of one form make one job. */
export async function claimSubmit(bot: BotContext, parts: readonly string[]): Promise<SubmitClaim> {
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
  const key = bot.queue.keys.formSubmitted(digest);
  const first = (await bot.queue.redis.set(key, '1', 'EX', FORM_DEDUPE_SECONDS, 'NX')) === 'OK';
  return { first, release: async () => void (first ? await bot.queue.redis.del(key) : undefined) };
}

/** The stored files of an old result may have been cleaned up: say what to do instead of queueing a job that cannot run. */
export async function requireStoredFile(path: string, what: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new UserError('result_files_gone', `The files of this video are no longer on the server, so I cannot ${what}. Run \`/i2v\` again with the image.`);
  }
}
