import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { createJobId, createQueueContext, enqueueJob, getJob } from '../../src/queue/index.ts';
import { startComfySimulator } from '../../src/simulator/index.ts';
import { discordEnvFor } from '../support/botOnFake.ts';
import { startFakeDiscord } from '../support/fake-discord/index.ts';
import { spawnWorkerChild } from '../support/workerChild.ts';
import { makeDataDir } from '../worker/helpers.ts';
import { sampleJob, writeStartImage } from '../support/jobs.ts';
import { quickTuning, worldConfig } from '../support/world.ts';
import { startAofRedis } from './aofRedis.ts';
import { postStatusMessage, report, videoUploads } from './support.ts';

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

describe('Redis killed with kill -9 (AOF on) while a job runs', () => {
  it('the worker reconnects once Redis is back and the job ends as one video, submitted once', async () => {
    const redis = await startAofRedis();
    cleanups.push(() => redis.stop());
    const fake = await startFakeDiscord();
    cleanups.push(() => fake.close());
    const sim = await startComfySimulator({ knobs: { secondsPerStep: 0.4 } });
    cleanups.push(() => sim.close());
    const data = await makeDataDir();
    cleanups.push(() => data.remove());
    const input = join(data.dir, 'start.png');
    await writeStartImage(input);
    const ctx = createQueueContext({ redisUrl: redis.url, prefix: 'aof', logger: silentLogger });
    cleanups.push(() => ctx.close());
    const config = worldConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: ctx.prefix, COMFYUI_URL: sim.url, DATA_DIR: data.dir, ...discordEnvFor(fake), EDIT_INTERVAL_MS: '100' });
    // Production lock settings: Redis is down for longer than a quick test lock would last.
    const child = await spawnWorkerChild(config, { tuning: { pipeline: quickTuning.pipeline }, reporter: 'discord' });
    cleanups.push(() => child.kill());
    const messageId = await postStatusMessage(fake);
    const jobId = createJobId();
    await enqueueJob(ctx, sampleJob({ image: input, discord: { channelId: fake.channelId, messageId } }), { jobId });
    await child.waitFor((line) => line.type === 'progress' && line.jobId === jobId && line.progress?.stage === 'high_noise');

    await redis.kill9();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await redis.start();

    await expect.poll(async () => (await getJob(ctx, jobId))?.state, { timeout: 60_000, interval: 250 }).toBe('completed');
    await fake.waitFor(() => (fake.message(messageId)?.reactions?.length ?? 0) >= 3 || undefined, { timeoutMs: 15_000 });
    const prompts = sim.timeline.filter((entry) => entry.promptId.startsWith(`${jobId}-`)).length;
    await report('redis.md', [`| Redis kill -9 during sampling, down 2 s, AOF (appendfsync always) | ${videoUploads(fake, messageId, jobId)} video | ${prompts} prompt |`]);
    expect(videoUploads(fake, messageId, jobId)).toBe(1);
    expect(prompts).toBe(1);
  });
});
