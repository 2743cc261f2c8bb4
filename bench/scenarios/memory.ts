import { REST, Routes } from 'discord.js';
import { createJobId, enqueueJob, type JobData } from '../../src/queue/index.ts';
import { saveJobImage, normalizeImage } from '../../src/media/index.ts';
import { startComfySimulator } from '../../src/simulator/index.ts';
import { startFakeDiscord, type FakeDiscord } from '../../test/support/fake-discord/index.ts';
import { startRole } from '../lib/child.ts';
import { sleep } from '../lib/clock.ts';
import { startSubstitutingProxy } from '../lib/comfyProxy.ts';
import { BENCH_ADMIN_ID } from '../lib/discordWorld.ts';
import { smallPng, twentyFiveMegabytes, videoOfSize } from '../lib/media.ts';
import type { Scenario } from '../lib/scenario.ts';
import { round } from '../lib/stats.ts';
import type { Figure } from '../lib/table.ts';
import { benchJobOptions, openCorner, type Corner } from '../lib/world.ts';
import { discordEnvFor, registerCommands } from '../../test/support/botOnFake.ts';

/**
 * Peak RSS (VmHWM) of the real bot and worker processes (`src/main.ts bot|worker` in a
 * child each), against the fake Discord and real Redis:
 * - a bot with 1,000 waiting jobs whose messages it keeps current, answering /queue list
 *   and /queue status while new /i2v come in;
 * - a worker delivering a 25 MB video (over 10 MiB, so re-encoded).
 */

const WAITING = Number(process.env.BENCH_WAITING ?? 1000);

async function discordCorner(fake: FakeDiscord, env: Record<string, string>): Promise<Corner> {
  const corner = await openCorner({
    ...discordEnvFor(fake),
    ADMIN_USER_IDS: BENCH_ADMIN_ID,
    MAX_WAITING_PER_USER: '1000',
    ...env,
  });
  await registerCommands(fake, corner.config.PRESET_DIR);
  return corner;
}

/** A status message in the channel for a job, as the bot's deferral would have made. */
async function statusMessage(rest: REST, fake: FakeDiscord, content: string): Promise<string> {
  const message = (await rest.post(Routes.channelMessages(fake.channelId), { body: { content } })) as { id: string };
  return message.id;
}

const childEnv = (corner: Corner): Record<string, string> => ({
  REDIS_URL: corner.config.REDIS_URL,
  QUEUE_PREFIX: corner.prefix,
  DATA_DIR: corner.dataDir,
  DISCORD_TOKEN: corner.config.DISCORD_TOKEN ?? '',
  DISCORD_APP_ID: corner.config.DISCORD_APP_ID ?? '',
  DISCORD_GUILD_ID: corner.config.DISCORD_GUILD_ID ?? '',
  DISCORD_API_BASE: corner.config.DISCORD_API_BASE,
  ATTACHMENT_HOSTS: corner.config.ATTACHMENT_HOSTS.join(','),
  COMFYUI_URL: corner.config.COMFYUI_URL.join(','),
  ADMIN_USER_IDS: BENCH_ADMIN_ID,
  MAX_WAITING_PER_USER: '1000',
  PRESET_DIR: corner.config.PRESET_DIR,
  WORKFLOW_DIR: corner.config.WORKFLOW_DIR,
});

async function botWithQueue(): Promise<Figure> {
  const fake = await startFakeDiscord();
  const corner = await discordCorner(fake, {});
  const rest = new REST({ api: fake.apiBase, version: '10' }).setToken(fake.token);
  try {
    // Filling the queue is setup, not the figure: no rate limits while 1,000 messages are made.
    fake.rules.rateLimits = false;
    const normalized = await normalizeImage(await smallPng(), { maxPixels: corner.config.MAX_INPUT_PIXELS });
    for (let i = 0; i < WAITING; i++) {
      const jobId = createJobId();
      const path = await saveJobImage(corner.dataDir, jobId, normalized.png);
      const messageId = await statusMessage(rest, fake, `Queued: position ${i + 1}`);
      const data: JobData = {
        v: 1,
        kind: 'i2v',
        options: { ...benchJobOptions, aspect: 'auto', seed: i + 1 },
        input: { path, width: normalized.width, height: normalized.height },
        sizeLimit: 10 * 1024 * 1024,
        requester: { userId: `3000000000000${String(i).padStart(5, '0')}`, name: `member ${i}` },
        discord: { guildId: fake.guildId, channelId: fake.channelId, messageId },
        createdAt: Date.now(),
      };
      await enqueueJob(corner.queue, data, { jobId });
    }
    fake.rules.rateLimits = true;
    const bot = startRole('bot', childEnv(corner));
    try {
      await bot.waitForLog('bot ready');
      const png = await smallPng();
      for (let round = 0; round < 5; round++) {
        await fake.invokeCommand({ name: 'queue', subcommand: 'list', user: { id: BENCH_ADMIN_ID } }).waitForResponse((m) => m.content.length > 0, { timeoutMs: 30_000 });
        await fake.invokeCommand({ name: 'queue', subcommand: 'status', user: { id: BENCH_ADMIN_ID } }).waitForResponse((m) => m.content.length > 0 || m.embeds.length > 0, { timeoutMs: 30_000 });
        await fake.invokeCommand({ name: 'i2v', options: { prompt: `late ${round}`, preset: 'fast' }, attachment: { filename: 'cat.png', data: png } }).waitForResponse((m) => m.content.length > 0, { timeoutMs: 30_000 });
        // Let the waiting refresher work through the front of the queue between rounds.
        await sleep(2000);
      }
      const peak = await bot.peakMb();
      const edits = fake.requests.filter((r) => r.method === 'PATCH' && r.path.startsWith('/channels/')).length;
      return { id: 'rss_bot_1000', label: 'bot RSS peak, 1,000 queued jobs', unit: 'MB', median: round(peak), budget: '< 150 MB', pass: peak < 150, note: `${edits} waiting-message edits, 5 × /queue list + status + /i2v` };
    } finally {
      await bot.stop();
    }
  } finally {
    await fake.close();
    await corner.close();
  }
}

async function workerDelivering(): Promise<Figure> {
  const video = await videoOfSize(twentyFiveMegabytes);
  const simulator = await startComfySimulator({ knobs: { secondsPerStep: 0.05 } });
  const proxy = await startSubstitutingProxy(simulator.url, video.path);
  const fake = await startFakeDiscord();
  const corner = await discordCorner(fake, { COMFYUI_URL: proxy.url });
  const rest = new REST({ api: fake.apiBase, version: '10' }).setToken(fake.token);
  const worker = startRole('worker', childEnv(corner));
  try {
    await worker.waitForLog('worker ready');
    const normalized = await normalizeImage(await smallPng(), { maxPixels: corner.config.MAX_INPUT_PIXELS });
    const jobId = createJobId();
    const path = await saveJobImage(corner.dataDir, jobId, normalized.png);
    const messageId = await statusMessage(rest, fake, 'Queued: next');
    await enqueueJob(
      corner.queue,
      {
        v: 1,
        kind: 'i2v',
        options: { ...benchJobOptions, aspect: 'auto', seed: 7 },
        input: { path, width: normalized.width, height: normalized.height },
        sizeLimit: 10 * 1024 * 1024,
        requester: { userId: '300000000000000001', name: 'member' },
        discord: { guildId: fake.guildId, channelId: fake.channelId, messageId },
        createdAt: Date.now(),
      },
      { jobId, attempts: 1 },
    );
    const done = await fake.waitFor(() => fake.message(messageId)?.attachments.find((a) => a.filename.endsWith('.mp4')), { timeoutMs: 180_000, description: 'the re-encoded video' });
    const peak = await worker.peakMb();
    return {
      id: 'rss_worker_25mb',
      label: 'worker RSS peak, delivering 25 MB',
      unit: 'MB',
      median: round(peak),
      budget: '< 250 MB',
      pass: peak < 250,
      note: `${(video.bytes / 1e6).toFixed(1)} MB in, ${(done.size / 1e6).toFixed(1)} MB posted (re-encoded)`,
    };
  } finally {
    await worker.stop();
    await fake.close();
    await corner.close();
    await proxy.close();
    await simulator.close();
  }
}

export const memory: Scenario = {
  name: 'memory',
  figureIds: ['rss_bot_1000', 'rss_worker_25mb'],
  async run() {
    const rows: Figure[] = [];
    for (const [id, label, measure] of [
      ['rss_bot_1000', 'bot RSS peak, 1,000 queued jobs', botWithQueue],
      ['rss_worker_25mb', 'worker RSS peak, delivering 25 MB', workerDelivering],
    ] as const) {
      try {
        rows.push(await measure());
      } catch (error) {
        rows.push({ id, label, unit: 'MB', median: Number.NaN, budget: '', pass: false, note: `ERROR: ${error instanceof Error ? error.message.slice(0, 160) : String(error)}` });
      }
    }
    return rows;
  },
};
