import { REST, Routes } from 'discord.js';
import { createJobId, enqueueJob } from '../../src/queue/index.ts';
import { saveJobImage, normalizeImage } from '../../src/media/index.ts';
import { startComfySimulator } from '../../src/simulator/index.ts';
import type { FakeDiscord } from '../../test/support/fake-discord/index.ts';
import { sampleJob } from '../../test/support/jobs.ts';
import { openWorld, type World } from '../../test/support/world.ts';
import { startRole } from '../lib/child.ts';
import { sleep } from '../lib/clock.ts';
import { startSubstitutingProxy } from '../lib/comfyProxy.ts';
import { smallPng, twentyFiveMegabytes, videoOfSize } from '../lib/media.ts';
import { BENCH_ADMIN_ID, benchDiscordEnv, benchJobOptions, type Scenario } from '../lib/scenario.ts';
import { round } from '../lib/stats.ts';
import type { Figure } from '../lib/table.ts';
import { discordEnvFor, registerCommands } from '../../test/support/botOnFake.ts';

/**
 * Peak RSS (VmHWM) of the real bot and worker processes (`src/main.ts bot|worker` in a
 * child each), against the fake Discord and real Redis:
 * - a bot with 1,000 waiting jobs whose messages it keeps current, answering /queue list
 *   and /queue status while new /i2v come in;
 * - a worker delivering a 25 MB video (over 10 MiB, so re-encoded).
 */

const WAITING = Number(process.env.BENCH_WAITING ?? 1000);

/** A world with the fake Discord and the commands registered; the bot and worker run as child processes. */
async function discordWorld(env: Record<string, string>): Promise<World> {
  const world = await openWorld({ purpose: 'bench', discord: true, env: { ...benchDiscordEnv, ...env } });
  await registerCommands(world.fake, world.config.PRESET_DIR);
  return world;
}

/** A status message in the channel for a job, as the bot's deferral would have made. */
async function statusMessage(rest: REST, fake: FakeDiscord, content: string): Promise<string> {
  const message = (await rest.post(Routes.channelMessages(fake.channelId), { body: { content } })) as { id: string };
  return message.id;
}

const childEnv = (world: World): Record<string, string> => ({
  REDIS_URL: world.config.REDIS_URL,
  QUEUE_PREFIX: world.prefix,
  DATA_DIR: world.dataDir,
  DISCORD_TOKEN: world.config.DISCORD_TOKEN ?? '',
  DISCORD_APP_ID: world.config.DISCORD_APP_ID ?? '',
  DISCORD_GUILD_ID: world.config.DISCORD_GUILD_ID ?? '',
  DISCORD_API_BASE: world.config.DISCORD_API_BASE,
  ATTACHMENT_HOSTS: world.config.ATTACHMENT_HOSTS.join(','),
  COMFYUI_URL: world.config.COMFYUI_URL.join(','),
  ...benchDiscordEnv,
  PRESET_DIR: world.config.PRESET_DIR,
  WORKFLOW_DIR: world.config.WORKFLOW_DIR,
});

async function botWithQueue(): Promise<Figure> {
  const world = await discordWorld({});
  const fake = world.fake;
  const rest = new REST({ api: fake.apiBase, version: '10' }).setToken(fake.token);
  try {
    // Filling the queue is setup, not the figure: no rate limits while 1,000 messages are made.
    fake.rules.rateLimits = false;
    const normalized = await normalizeImage(await smallPng(), { maxPixels: world.config.MAX_INPUT_PIXELS });
    for (let i = 0; i < WAITING; i++) {
      const jobId = createJobId();
      const path = await saveJobImage(world.dataDir, jobId, normalized.png);
      const messageId = await statusMessage(rest, fake, `Queued: position ${i + 1}`);
      const data = sampleJob({
        options: { ...benchJobOptions, seed: i + 1 },
        input: { path, width: normalized.width, height: normalized.height },
        requester: { userId: `3000000000000${String(i).padStart(5, '0')}`, name: `member ${i}` },
        discord: { guildId: fake.guildId, channelId: fake.channelId, messageId },
      });
      await enqueueJob(world.queue, data, { jobId });
    }
    fake.rules.rateLimits = true;
    const bot = startRole('bot', childEnv(world));
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
    await world.close();
  }
}

async function workerDelivering(): Promise<Figure> {
  const video = await videoOfSize(twentyFiveMegabytes);
  const simulator = await startComfySimulator({ knobs: { secondsPerStep: 0.05 } });
  const proxy = await startSubstitutingProxy(simulator.url, video.path);
  const world = await discordWorld({ COMFYUI_URL: proxy.url });
  const fake = world.fake;
  const rest = new REST({ api: fake.apiBase, version: '10' }).setToken(fake.token);
  const worker = startRole('worker', childEnv(world));
  try {
    await worker.waitForLog('worker ready');
    const normalized = await normalizeImage(await smallPng(), { maxPixels: world.config.MAX_INPUT_PIXELS });
    const jobId = createJobId();
    const path = await saveJobImage(world.dataDir, jobId, normalized.png);
    const messageId = await statusMessage(rest, fake, 'Queued: next');
    await enqueueJob(
      world.queue,
      sampleJob({
        options: { ...benchJobOptions, seed: 7 },
        input: { path, width: normalized.width, height: normalized.height },
        requester: { userId: '300000000000000001', name: 'member' },
        discord: { guildId: fake.guildId, channelId: fake.channelId, messageId },
      }),
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
    await world.close();
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
