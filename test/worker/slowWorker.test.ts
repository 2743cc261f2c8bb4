import 'discord.js';
import { REST, Routes } from 'discord.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createJobId, enqueueJob, getJob } from '../../src/queue/index.ts';
import { workerTuningDefaults } from '../../src/worker/startWorker.ts';
import { discordEnvFor } from '../support/botOnFake.ts';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.ts';
import { spawnWorkerChild, type WorkerChild } from '../support/workerChild.ts';
import { sampleJob } from '../support/jobs.ts';
import { openWorld, quickTuning, type World as Harness } from '../support/world.ts';

/**
 * The other side of quick recovery: a worker that is only slow keeps its job. Both
 * workers here run with the production lock settings (lock, renewal, stalled checks).
 */

const productionLocks = {
  lockDurationMs: workerTuningDefaults.lockDurationMs,
  lockRenewMs: workerTuningDefaults.lockRenewMs,
  stalledIntervalMs: workerTuningDefaults.stalledIntervalMs,
};

// Worker processes take seconds to start on a busy machine; the waits inside stay event-driven.
vi.setConfig({ testTimeout: 150_000 });

let harness: Harness | undefined;
let fake: FakeDiscord | undefined;
let child: WorkerChild | undefined;
afterEach(async () => {
  await child?.kill();
  child = undefined;
  await harness?.close();
  harness = undefined;
  await fake?.close();
  fake = undefined;
});

describe('a slow worker is not a dead one', () => {
  it('a long synchronous step (7 s with its event loop blocked) keeps its job: run once, delivered once, by that worker', async () => {
    harness = await openWorld({ simulators: { knobs: { secondsPerStep: 0.3 } }, tuning: quickTuning, jobDefaults: { backoffMs: 50 }, leakCheck: false });
    const { queue: ctx, recorded, input } = harness;
    const blockMs = workerTuningDefaults.lockDurationMs - 3 * workerTuningDefaults.lockRenewMs / 2;
    child = await spawnWorkerChild(harness.configWith({}), { tuning: { ...productionLocks, pipeline: quickTuning.pipeline }, env: { OELALA_TEST_BLOCK: `high_noise:${blockMs}` } });
    const jobId = createJobId();
    await enqueueJob(ctx, sampleJob({ image: input }), { jobId });
    await child.waitFor((line) => line.type === 'progress' && line.jobId === jobId);
    // A second, idle worker that would take the job over if its lock expired.
    await harness.startWorker({ tuning: productionLocks });
    await child.waitFor((line) => line.type === 'unblocked');
    await child.waitFor((line) => line.type === 'delivered' && line.jobId === jobId);
    await expect.poll(async () => (await getJob(ctx, jobId))?.state).toBe('completed');
    expect(harness.promptsOf(jobId).map((entry) => entry.promptId)).toEqual([`${jobId}-a1`]);
    expect(recorded.calls.filter((call) => call.jobId === jobId)).toHaveLength(0);
    expect(child.lines.filter((line) => line.type === 'delivered')).toHaveLength(1);
  });

  it('an upload slower than the lock keeps its job: the video is posted once, by that worker', async () => {
    fake = await startFakeDiscord();
    harness = await openWorld({ simulators: { knobs: { secondsPerStep: 0.02 } }, tuning: quickTuning, jobDefaults: { backoffMs: 50 }, leakCheck: false });
    const { queue: ctx, recorded, input } = harness;
    const config = harness.configWith({ ...discordEnvFor(fake), EDIT_INTERVAL_MS: '100' });
    const rest = new REST({ api: fake.apiBase, version: '10' }).setToken(fake.token);
    const message = (await rest.post(Routes.channelMessages(fake.channelId), { body: { content: '⏳ Waiting' } })) as { id: string };
    child = await spawnWorkerChild(config, { tuning: { ...productionLocks, pipeline: quickTuning.pipeline }, reporter: 'discord' });
    await harness.startWorker({ tuning: productionLocks });
    const upload = fake.holdResponses((request) => request.method === 'PATCH' && request.path.endsWith(`/messages/${message.id}`) && request.multipart);
    const jobId = createJobId();
    await enqueueJob(ctx, sampleJob({ image: input, discord: { channelId: fake.channelId, messageId: message.id } }), { jobId });
    await upload.reached;
    // Discord takes longer than the whole lock to answer; the worker's event loop stays free meanwhile.
    await new Promise((resolve) => setTimeout(resolve, workerTuningDefaults.lockDurationMs + 2 * workerTuningDefaults.stalledIntervalMs));
    upload.release();
    await child.waitFor((line) => line.type === 'delivered' && line.jobId === jobId);
    await expect.poll(async () => (await getJob(ctx, jobId))?.state).toBe('completed');
    const uploads = fake.requests.filter((request) => request.method === 'PATCH' && request.path.endsWith(`/messages/${message.id}`) && request.multipart);
    expect(uploads).toHaveLength(1);
    expect(harness.promptsOf(jobId)).toHaveLength(1);
    expect(recorded.calls.filter((call) => call.jobId === jobId)).toHaveLength(0);
  });
});
