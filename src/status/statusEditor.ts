import { readFile } from 'node:fs/promises';
import { DiscordAPIError, Routes, type REST } from 'discord.js';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import type { Clock } from './clock.ts';
import { createEditScheduler, type EditPriority, type EditTarget, type SendOutcome } from './editScheduler.ts';
import { clearMarkers, isFinal, isPastWaiting, landedFile, markFinal, markLanded } from './messageMarkers.ts';
import type { StatusView } from './statusMessage.ts';

/**
 * Edits status messages through the bot-token channel route (never an interaction
 * token, so the 15-minute rule never bites), coalesced and spaced by the edit scheduler,
 * with the final marker in Redis guarding against late progress edits from any process.
 */

export type StatusEditorOptions = {
  rest: REST;
  redis: Redis;
  /** Key prefix (QUEUE_PREFIX). */
  prefix: string;
  logger: Logger;
  /** Minimum milliseconds between edits of one message (EDIT_INTERVAL_MS). */
  intervalMs: number;
  clock?: Clock;
};

export type StatusEditor = {
  /** Queue a view for a message; waiting views take `rank` (queue position) to order them. */
  show(target: EditTarget, view: StatusView, rank?: number): void;
  /** Queue a final view and resolve once it is on Discord (or given up on). */
  showFinal(target: EditTarget, view: StatusView): Promise<void>;
  /** The message was just edited elsewhere (the deferral's first edit): the next edit keeps its distance. */
  noteEdited(target: EditTarget): void;
  /** The message may show non-final states again (a failed job retried by an admin). */
  reopen(messageId: string): Promise<void>;
  idle(): Promise<void>;
  close(): void;
};

/** Discord errors after which the message cannot be edited any more. */
const GONE_CODES = new Set([10003, 10008, 50001, 50013]);
const TOO_LARGE_CODE = 40005;

export function createStatusEditor(options: StatusEditorOptions): StatusEditor {
  const { rest, redis, prefix, logger } = options;
  const finalWaiters = new Map<string, Array<() => void>>();
  const settle = (messageId: string) => {
    for (const resolve of finalWaiters.get(messageId) ?? []) resolve();
    finalWaiters.delete(messageId);
  };

  const send = async (target: EditTarget, view: StatusView, priority: EditPriority): Promise<SendOutcome> => {
    const { channelId, messageId } = target;
    if (priority === 'waiting' && (await isPastWaiting(redis, prefix, messageId))) return 'sent';
    if (priority === 'running' && (await isFinal(redis, prefix, messageId))) return 'sent';
    const alreadyFinal = view.final && view.file ? await isFinal(redis, prefix, messageId) : false;
    if (view.final) await markFinal(redis, prefix, messageId);
    try {
      if (view.final && view.file && (await alreadyCarries(target, view.file.name, alreadyFinal))) {
        logger.info({ channelId, messageId, file: view.file.name }, 'the final file is already on Discord; not uploading it again');
      } else {
        await patchMessage(rest, target, view);
        if (view.final && view.file) await markLanded(redis, prefix, messageId, view.file.name);
      }
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === TOO_LARGE_CODE && view.file) {
        // The worker fitted the file under the job's limit, yet Discord refused it: say so rather than fail silently.
        logger.warn({ channelId, messageId, err: error }, 'upload refused as too large; posting the summary without it');
        await patchMessage(rest, target, { ...view, file: undefined, content: `${view.content}\n-# Discord refused the file as too large for this channel.` });
      } else if (error instanceof DiscordAPIError && GONE_CODES.has(Number(error.code))) {
        logger.info({ channelId, messageId, code: error.code }, 'status message gone; no more edits');
        if (view.final) settle(messageId);
        return 'gone';
      } else {
        throw error;
      }
    }
    if (view.final) {
      for (const emoji of view.reactions ?? []) {
        await rest.put(Routes.channelMessageOwnReaction(channelId, messageId, emoji)).catch((error: unknown) => {
          logger.warn({ channelId, messageId, emoji, err: error }, 'could not add a reaction');
        });
      }
      settle(messageId);
    }
    return 'sent';
  };

  /**
   * Delivery is idempotent: a worker that takes over a job whose previous worker died after
   * Discord accepted the video finds the landed marker (written on Discord's answer), or,
   * when that worker died while the answer was on its way, finds the file on the message.
   */
  const alreadyCarries = async (target: EditTarget, fileName: string, finalWasSent: boolean): Promise<boolean> => {
    if ((await landedFile(redis, prefix, target.messageId)) === fileName) return true;
    if (!finalWasSent) return false;
    try {
      const message = (await rest.get(Routes.channelMessage(target.channelId, target.messageId))) as { attachments?: { filename: string }[] };
      if (!(message.attachments ?? []).some((attachment) => attachment.filename === fileName)) return false;
      await markLanded(redis, prefix, target.messageId, fileName);
      return true;
    } catch (error) {
      logger.warn({ ...target, err: error }, 'could not read the status message back; uploading the final file');
      return false;
    }
  };

  const scheduler = createEditScheduler<StatusView>(send, {
    intervalMs: options.intervalMs,
    waitingChannelIntervalMs: Math.max(options.intervalMs, 1500),
    ...(options.clock ? { clock: options.clock } : {}),
    onError: (target, error, willRetry) => {
      logger.warn({ ...target, err: error, willRetry }, 'status edit failed');
      if (!willRetry) settle(target.messageId);
    },
  });

  return {
    show(target, view, rank) {
      scheduler.submit(target, view, { priority: view.final ? 'final' : view.kind === 'waiting' ? 'waiting' : 'running', rank: rank ?? 0 });
    },
    showFinal(target, view) {
      const done = new Promise<void>((resolve) => {
        const waiters = finalWaiters.get(target.messageId) ?? [];
        waiters.push(resolve);
        finalWaiters.set(target.messageId, waiters);
      });
      scheduler.submit(target, { ...view, final: true }, { priority: 'final' });
      return done;
    },
    noteEdited: (target) => scheduler.noteSent(target),
    async reopen(messageId) {
      scheduler.reopen(messageId);
      await clearMarkers(redis, prefix, messageId);
    },
    idle: () => scheduler.idle(),
    close() {
      scheduler.close();
      for (const messageId of [...finalWaiters.keys()]) settle(messageId);
    },
  };
}

/** One edit of a status message: content, and the attachment (or none) replacing earlier ones. */
export async function patchMessage(rest: REST, target: EditTarget, view: StatusView, signal?: AbortSignal): Promise<void> {
  const body: Record<string, unknown> = { content: view.content, allowed_mentions: { parse: [] }, embeds: [], attachments: [], components: view.components ?? [] };
  const files = [];
  if (view.file) {
    const data = await readFile(view.file.path);
    files.push({ name: view.file.name, data });
    body.attachments = [{ id: 0, filename: view.file.name }];
    if (view.imageFromFile) body.embeds = [{ image: { url: `attachment://${view.file.name}` } }];
  }
  await rest.patch(Routes.channelMessage(target.channelId, target.messageId), { body, files, ...(signal ? { signal } : {}) });
}
