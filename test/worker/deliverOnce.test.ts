import 'discord.js';
import { REST, Routes } from 'discord.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRestReporter } from '../../src/status/restReporter.ts';
import { silentLogger } from '../../src/log.ts';
import { startWorker } from '../../src/worker/startWorker.ts';
import { createJobId, enqueueJob, getJob } from '../../src/queue/index.ts';
import { recordDelivery } from '../../src/queue/jobRecords.ts';
import type { LoggedRequest } from '../support/fake-discord/index.ts';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.ts';
import { discordEnvFor } from '../support/botOnFake.ts';
import { spawnWorkerChild, type WorkerChild } from '../support/workerChild.ts';
import { sampleJob } from '../support/jobs.ts';
import { openWorld, quickTuning, type World as Harness } from '../support/world.ts';

/**
 * Delivery is idempotent: a worker that dies after Discord accepted the video leaves a job
 * the next worker finishes without uploading it again.
 */

// Worker processes take seconds to start on a busy machine; the waits inside stay event-driven.
vi.setConfig({ testTimeout: 150_000 });

let harness: Harness | undefined;
let fake: FakeDiscord | undefined;
let child: WorkerChild | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await child?.kill();
  child = undefined;
  for (const close of closers.splice(0).reverse()) await close();
  await harness?.close();
  harness = undefined;
  await fake?.close();
  fake = undefined;
});

async function world() {
  fake = await startFakeDiscord();
  harness = await openWorld({ simulators: { knobs: { secondsPerStep: 0.02 } }, tuning: quickTuning, jobDefaults: { backoffMs: 50 }, leakCheck: false });
  const config = harness.configWith({ ...discordEnvFor(fake), EDIT_INTERVAL_MS: '100' });
  const rest = new REST({ api: fake.apiBase, version: '10' }).setToken(fake.token);
  // The status message the bot posted when it accepted the job.
  const message = (await rest.post(Routes.channelMessages(fake.channelId), { body: { content: '⏳ Waiting' } })) as { id: string };
  const jobId = createJobId();
  const data = sampleJob({ image: harness.input, discord: { channelId: fake.channelId, messageId: message.id } });
  return { fake, harness, config, messageId: message.id, jobId, data };
}

/** Distinct uploads of the job's video into the message, over its whole history. */
function videoUploads(f: FakeDiscord, messageId: string, jobId: string): number {
  const urls = new Set<string>();
  for (const version of f.messageHistory(messageId)) for (const attachment of version.attachments) if (attachment.filename === `${jobId}.mp4`) urls.add(attachment.url);
  return urls.size;
}

const isVideoEdit = (messageId: string) => (request: LoggedRequest) => request.method === 'PATCH' && request.path.endsWith(`/messages/${messageId}`) && request.multipart;

describe('a worker that dies after Discord accepted the video', () => {
  it('while Discord’s answer to the upload was on its way: the next worker finds the video on the message and uploads nothing', async () => {
    const w = await world();
    child = await spawnWorkerChild(w.config, { tuning: quickTuning, reporter: 'discord' });
    const upload = w.fake.holdResponses(isVideoEdit(w.messageId));
    await enqueueJob(w.harness.queue, w.data, { jobId: w.jobId });
    await upload.reached;
    await child.kill();
    upload.release();
    expect(videoUploads(w.fake, w.messageId, w.jobId)).toBe(1);

    await startDiscordWorker(w);
    await expect.poll(async () => (await getJob(w.harness.queue, w.jobId))?.state, { timeout: 30_000 }).toBe('completed');
    await w.fake.waitFor(() => (w.fake.message(w.messageId)?.reactions?.length ?? 0) >= 3 || undefined, { timeoutMs: 10_000 });
    expect(videoUploads(w.fake, w.messageId, w.jobId)).toBe(1);
    expect(w.fake.message(w.messageId)?.attachments.map((a) => a.filename)).toEqual([`${w.jobId}.mp4`]);
  });

  it('while it added the reactions: the next worker sees the upload landed, adds the reactions and uploads nothing', async () => {
    const w = await world();
    child = await spawnWorkerChild(w.config, { tuning: quickTuning, reporter: 'discord' });
    const reaction = w.fake.holdResponses((request) => request.method === 'PUT' && request.path.includes(`/messages/${w.messageId}/reactions/`));
    await enqueueJob(w.harness.queue, w.data, { jobId: w.jobId });
    await reaction.reached;
    await child.kill();
    reaction.release();
    expect(videoUploads(w.fake, w.messageId, w.jobId)).toBe(1);

    await startDiscordWorker(w);
    await expect.poll(async () => (await getJob(w.harness.queue, w.jobId))?.state, { timeout: 30_000 }).toBe('completed');
    await w.fake.waitFor(() => (w.fake.message(w.messageId)?.reactions?.length ?? 0) >= 3 || undefined, { timeoutMs: 10_000 });
    expect(videoUploads(w.fake, w.messageId, w.jobId)).toBe(1);
  });

  it('after recording the delivery: the next worker completes the job from the record, without ComfyUI or Discord', async () => {
    harness = await openWorld({ simulators: {}, tuning: quickTuning, jobDefaults: { backoffMs: 50 }, leakCheck: false });
    const { queue: ctx, recorded, input } = harness;
    const jobId = createJobId();
    const result = { videoPath: '/tmp/x.mp4', bytes: 1000, width: 192, height: 128, frames: 17, fps: 16, durationSeconds: 1, reencoded: false, seed: 1234, gpuSeconds: 2, instance: 'http://gpu', promptId: `${jobId}-a1` };
    await recordDelivery(ctx, jobId, result);
    await harness.startWorker();
    await enqueueJob(ctx, sampleJob({ image: input }), { jobId });
    await expect.poll(async () => (await getJob(ctx, jobId))?.state).toBe('completed');
    expect((await getJob(ctx, jobId))?.result).toMatchObject({ promptId: `${jobId}-a1`, bytes: 1000 });
    expect(harness.promptsOf(jobId)).toHaveLength(0);
    expect(recorded.calls.filter((call) => call.jobId === jobId && call.type !== 'progress')).toHaveLength(0);
  });
});

/** A worker in this process with the REST reporter, as on a GPU host. */
async function startDiscordWorker(w: Awaited<ReturnType<typeof world>>) {
  const discord = createRestReporter(w.config, silentLogger);
  closers.push(() => discord.close());
  const worker = startWorker({ config: w.config, reporter: discord.reporter, logger: silentLogger, queueContext: w.harness.queue, tuning: quickTuning });
  closers.push(() => worker.close());
  await worker.ready;
}
