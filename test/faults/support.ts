import 'discord.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REST, Routes } from 'discord.js';
import { createRestReporter } from '../../src/status/restReporter.ts';
import type { Config } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import type { QueueContext } from '../../src/queue/index.ts';
import { startWorker, type WorkerHandle, type WorkerTuning } from '../../src/worker/startWorker.ts';
import type { FakeDiscord } from '../support/fake-discord/index.ts';

/** The status message the bot would have posted for a job, made with the bot token. */
export async function postStatusMessage(fake: FakeDiscord): Promise<string> {
  const rest = new REST({ api: fake.apiBase, version: '10' }).setToken(fake.token);
  return ((await rest.post(Routes.channelMessages(fake.channelId), { body: { content: '⏳ Waiting' } })) as { id: string }).id;
}

/** Distinct uploads of the job's video into the message, over its whole history. */
export function videoUploads(fake: FakeDiscord, messageId: string, jobId: string): number {
  const urls = new Set<string>();
  for (const version of fake.messageHistory(messageId)) for (const attachment of version.attachments) if (attachment.filename === `${jobId}.mp4`) urls.add(attachment.url);
  return urls.size;
}

/** A worker in this process reporting through REST, as on a GPU host; `close()` stops both. */
export async function startDiscordWorker(config: Config, ctx: QueueContext | undefined, tuning: Partial<WorkerTuning>): Promise<{ worker: WorkerHandle; close(): Promise<void> }> {
  const discord = createRestReporter(config, silentLogger);
  const worker = startWorker({ config, reporter: discord.reporter, logger: silentLogger, ...(ctx ? { queueContext: ctx } : {}), tuning });
  await worker.ready;
  return {
    worker,
    async close() {
      await worker.close();
      await discord.close();
    },
  };
}

/** Appends lines to $FAULTS_REPORT_DIR/<file> (for RELIABILITY.md); nothing without the variable. */
export async function report(file: string, lines: string[]): Promise<void> {
  const dir = process.env.FAULTS_REPORT_DIR;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, file), `${lines.join('\n')}\n`, { flag: 'a' });
}
