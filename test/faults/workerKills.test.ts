import { afterEach, describe, expect, it } from 'vitest';
import { createJobId, enqueueJob, getJob } from '../../src/queue/index.ts';
import { discordEnvFor } from '../support/botOnFake.ts';
import { startFakeDiscord, type FakeDiscord, type LoggedRequest } from '../support/fake-discord/index.ts';
import { spawnWorkerChild, type WorkerChild } from '../support/workerChild.ts';
import { sampleJob } from '../support/jobs.ts';
import { openWorld, quickTuning, type World as Harness } from '../support/world.ts';
import { postStatusMessage, report, startDiscordWorker, videoUploads } from './support.ts';

/**
 * A worker (its own process, reporting to the fake Discord over REST) SIGKILLed at each
 * point of a job's life; another worker takes over. Every run must end as exactly one
 * video on the status message. FAULT_REPEAT=N runs each point N times (default 1).
 */

const REPEAT = Number(process.env.FAULT_REPEAT ?? 1);

type World = { fake: FakeDiscord; harness: Harness; messageId: string; jobId: string };
type Point = { name: string; arm(world: World, child: WorkerChild): { killAt: Promise<unknown>; release?: () => void } };

const stage = (name: string): Point['arm'] => (w, child) => ({
  killAt: child.waitFor((line) => line.type === 'progress' && line.jobId === w.jobId && line.progress?.stage === name),
});
const holding = (match: (w: World) => (request: LoggedRequest) => boolean): Point['arm'] => (w) => {
  const hold = w.fake.holdResponses(match(w));
  return { killAt: hold.reached, release: hold.release };
};

const points: Point[] = [
  { name: 'uploading the start image to ComfyUI', arm: stage('uploading') },
  { name: 'submitted, queued on the GPU', arm: stage('queued_on_gpu') },
  { name: 'sampling (high-noise pass)', arm: stage('high_noise') },
  { name: 'after execution_success (delivering)', arm: stage('delivering') },
  {
    name: 'fetching the video from ComfyUI (/view requested)',
    arm: (w) => ({ killAt: w.fake.waitFor(() => w.harness.sims[0]?.received.some((r) => r.url.startsWith('/view') && r.url.includes(w.jobId)) || undefined, { timeoutMs: 30_000 }) }),
  },
  { name: 'during the Discord upload (accepted, answer not yet heard)', arm: holding((w) => (r) => r.method === 'PATCH' && r.path.endsWith(`/messages/${w.messageId}`) && r.multipart) },
  { name: 'after the Discord upload (adding the reactions)', arm: holding((w) => (r) => r.method === 'PUT' && r.path.includes(`/messages/${w.messageId}/reactions/`)) },
];

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

const outcomes: string[] = [];

describe('a worker SIGKILLed at each point of a job’s life', () => {
  const runs = points.flatMap((point) => Array.from({ length: REPEAT }, (_, i) => [`${point.name} (#${i + 1})`, point] as const));
  it.each(runs)('%s: taken over, ends as one video', async (_label, point) => {
    const fake = await startFakeDiscord();
    cleanups.push(() => fake.close());
    const harness = await openWorld({ simulators: { knobs: { secondsPerStep: 0.1 } }, tuning: quickTuning, jobDefaults: { backoffMs: 50 }, leakCheck: false });
    cleanups.push(() => harness.close());
    const config = harness.configWith({ ...discordEnvFor(fake), EDIT_INTERVAL_MS: '100' });
    const w: World = { fake, harness, messageId: await postStatusMessage(fake), jobId: createJobId() };
    const child = await spawnWorkerChild(config, { tuning: quickTuning, reporter: 'discord' });
    cleanups.push(() => child.kill());
    const armed = point.arm(w, child);
    await enqueueJob(harness.queue, sampleJob({ image: harness.input, discord: { channelId: fake.channelId, messageId: w.messageId } }), { jobId: w.jobId });
    await armed.killAt;
    await child.kill();
    armed.release?.();

    const next = await startDiscordWorker(config, harness.queue, quickTuning);
    cleanups.push(() => next.close());
    await expect.poll(async () => (await getJob(harness.queue, w.jobId))?.state, { timeout: 45_000 }).toBe('completed');
    await fake.waitFor(() => (fake.message(w.messageId)?.reactions?.length ?? 0) >= 3 || undefined, { timeoutMs: 15_000 });
    const uploads = videoUploads(fake, w.messageId, w.jobId);
    const prompts = harness.promptsOf(w.jobId).length;
    outcomes.push(`| ${point.name} | ${uploads === 1 ? 'one video' : `${uploads} videos`} | ${prompts} |`);
    expect(uploads).toBe(1);
    expect(fake.message(w.messageId)?.attachments.map((a) => a.filename)).toEqual([`${w.jobId}.mp4`]);
    expect(fake.messages().filter((m) => !m.deleted)).toHaveLength(1);
  });

  it('reports', async () => {
    await report('worker-kills.md', ['| killed | ended as | prompts submitted |', '|---|---|---|', ...outcomes]);
  });
});
