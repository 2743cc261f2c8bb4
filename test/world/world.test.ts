import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/queue/index.ts';
import { startComfySimulator } from '../../src/simulator/index.ts';
import { startWorker } from '../../src/worker/startWorker.ts';
import { silentLogger } from '../../src/log.ts';
import { sampleJob } from '../support/jobs.ts';
import { openWorld, type World } from '../support/world.ts';

/** The shared teardown: it removes what the world made, and fails a test that leaves things running. */

let world: World | undefined;
afterEach(async () => {
  await world?.close().catch(() => {});
  world = undefined;
});

describe('a test world', () => {
  it('closes clean: its keys are gone (SCAN) and nothing it opened stays open', async () => {
    world = await openWorld({ discord: true, bot: true, simulators: {}, worker: { reports: 'rest' } });
    await enqueueJob(world.queue, sampleJob({ image: world.input }), { jobId: 'cleanjob1' });
    const { prefix } = world;
    await world.close();
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const [, keys] = await redis.scan('0', 'MATCH', `${prefix}:*`, 'COUNT', 10_000);
      expect(keys).toEqual([]);
    } finally {
      await redis.quit();
    }
  });

  it('fails when the test leaves a Redis connection open', async () => {
    world = await openWorld({});
    const stray = new Redis(world.config.REDIS_URL);
    await stray.ping();
    await expect(world.close()).rejects.toThrow(/left open: 1 socket/);
    await stray.quit();
  });

  it('fails when the test leaves a worker running', async () => {
    world = await openWorld({});
    const stray = startWorker({ config: world.config, reporter: world.recorded.reporter, logger: silentLogger });
    await stray.ready;
    await expect(world.close()).rejects.toThrow(/left open: \d+ socket/);
    await stray.close();
  });

  it('fails when the test leaves a simulator running', async () => {
    world = await openWorld({});
    const sim = await startComfySimulator();
    await expect(world.close()).rejects.toThrow(/left open: 1 server/);
    await sim.close();
  });
});
