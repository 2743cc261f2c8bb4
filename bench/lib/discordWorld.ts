import { commands } from '../../commands/index.ts';
import { createDiscordReporter } from '../../src/status/discordReporter.ts';
import { startBot, type RunningBot } from '../../src/bot/startBot.ts';
import type { Reporter } from '../../src/queue/reporter.ts';
import { startWorker, type WorkerHandle } from '../../src/worker/index.ts';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordStartOptions } from '../../test/support/fake-discord/index.ts';
import { benchLogger, openCorner, type Corner } from './world.ts';
import { discordEnvFor, registerCommands } from '../../test/support/botOnFake.ts';

/**
 * The real bot (and, when asked, the real worker in the same process, as `npm start`
 * runs them: one REST client, the Discord reporter) against the fake Discord, real
 * Redis and the given ComfyUIs. Commands are registered as `npm run register` would.
 */
export type DiscordWorld = { fake: FakeDiscord; corner: Corner; bot: RunningBot; worker: WorkerHandle | undefined; close(): Promise<void> };

export const BENCH_ADMIN_ID = '100000000000000042';

export async function startDiscordWorld(options: {
  comfyUrls?: readonly string[];
  withWorker?: boolean;
  env?: Record<string, string>;
  fake?: FakeDiscordStartOptions;
  wrap?: (reporter: Reporter) => Reporter;
}): Promise<DiscordWorld> {
  const fake = await startFakeDiscord(options.fake);
  const corner = await openCorner({
    ...discordEnvFor(fake),
    COMFYUI_URL: (options.comfyUrls ?? ['http://127.0.0.1:9']).join(','),
    ADMIN_USER_IDS: BENCH_ADMIN_ID,
    MAX_WAITING_PER_USER: '1000',
    ...options.env,
  });
  const { config } = corner;
  await registerCommands(fake, config.PRESET_DIR);
  const bot = await startBot({ config, logger: benchLogger, commands, queue: corner.queue });
  let worker: WorkerHandle | undefined;
  if (options.withWorker) {
    const discord = createDiscordReporter({ editor: bot.statusEditor, redis: corner.queue.redis, prefix: corner.prefix, logger: benchLogger });
    worker = startWorker({ config, reporter: options.wrap ? options.wrap(discord) : discord, logger: benchLogger, queueContext: corner.queue });
    await worker.ready;
  }
  return {
    fake,
    corner,
    bot,
    worker,
    async close() {
      await worker?.close();
      await bot.close();
      await fake.close();
      await corner.close();
    },
  };
}
