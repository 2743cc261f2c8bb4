import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REST, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordReporter } from '../../src/status/discordReporter.ts';
import { createStatusEditor, type StatusEditor } from '../../src/status/statusEditor.ts';
import { silentLogger } from '../../src/log.ts';
import type { JobResult } from '../../src/queue/schemas.ts';
import type { JobRef, Reporter } from '../../src/queue/reporter.ts';
import type { FakeDiscord } from '../support/fake-discord/index.ts';
import { sampleJob } from '../support/jobs.ts';
import { openWorld, type World } from '../support/world.ts';

/**
 * The worker's Discord reporter against the fake Discord: edits through the channel
 * route, spaced per message, finals that survive a 429 storm and are never overwritten.
 */

let world: World;
let fake: FakeDiscord;
let editor: StatusEditor;
let reporter: Reporter;
let rest: REST;
let dir: string;
let video: string;

beforeAll(async () => {
  world = await openWorld({ discord: true });
  fake = world.fake;
  dir = world.dataDir;
  rest = new REST({ api: fake.apiBase, version: '10' }).setToken(fake.token);
  editor = createStatusEditor({ rest, redis: world.redis, prefix: world.prefix, logger: silentLogger, intervalMs: 2000 });
  reporter = createDiscordReporter({ editor, redis: world.redis, prefix: world.prefix, logger: silentLogger });
  video = join(dir, 'clip.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x96:rate=16', '-frames:v', '16', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', video]);
});

afterAll(async () => {
  editor?.close();
  await world?.close();
});

async function jobWithMessage(): Promise<JobRef> {
  const posted = (await rest.post(Routes.channelMessages(fake.channelId), { body: { content: 'waiting' } })) as { id: string };
  const data = sampleJob({
    options: { prompt: 'a lighthouse in a storm', seed: 7 },
    input: { path: join(dir, 'in.png'), width: 640, height: 360 },
    requester: { userId: fake.memberUserId, name: 'alice' },
    discord: { guildId: fake.guildId, channelId: fake.channelId, messageId: posted.id },
  });
  return { id: `job${posted.id.slice(-6)}`, data, attempt: 1 };
}

const result = (): JobResult => ({
  videoPath: video, bytes: 1000, width: 160, height: 96, frames: 16, fps: 16, durationSeconds: 1, seed: 7, gpuSeconds: 12, reencoded: false, instance: 'sim', promptId: 'p',
});

const patchesOf = (messageId: string) => fake.requests.filter((r) => r.method === 'PATCH' && r.path === `/channels/${fake.channelId}/messages/${messageId}` && r.status === 200);

describe('status edits of a running job', () => {
  it('are at least 2 s apart per message while running; the video goes out at once, with three reactions', async () => {
    const job = await jobWithMessage();
    const messageId = job.data.discord!.messageId;
    for (let step = 1; step <= 3; step++) {
      await reporter.progress(job, { stage: 'high_noise', step: { value: step, max: 6 }, percent: step * 10, startedAt: Date.now() });
    }
    await fake.waitFor(() => patchesOf(messageId).length >= 1 || undefined);
    for (let step = 4; step <= 6; step++) {
      await reporter.progress(job, { stage: 'high_noise', step: { value: step, max: 6 }, percent: step * 10, startedAt: Date.now() });
    }
    await fake.waitFor(() => patchesOf(messageId).length >= 2 || undefined, { timeoutMs: 10_000 });
    await reporter.delivered(job, result());
    const final = fake.message(messageId)!;
    expect(final.attachments.map((a) => a.filename)).toEqual([`${job.id}.mp4`]);
    expect(fake.attachmentBytes(final.attachments[0]!).subarray(4, 8).toString()).toBe('ftyp');
    await fake.waitFor(() => (fake.message(messageId)?.reactions?.length ?? 0) >= 3);
    expect(fake.message(messageId)!.reactions!.map((r) => r.emoji.name)).toEqual(['🔁', '⬆️', '❌']);
    const patches = patchesOf(messageId);
    // Coalesced: six progress reports became two edits, then the final.
    expect(patches).toHaveLength(3);
    expect(patches[1]!.atMs - patches[0]!.atMs).toBeGreaterThanOrEqual(2000);
    expect(fake.messageHistory(messageId).at(-2)?.content).toContain('step 6 of 6');
  });

  it('never shows a late progress edit over the delivered video, and a 429 storm loses no final state', async () => {
    const job = await jobWithMessage();
    const messageId = job.data.discord!.messageId;
    fake.forceRateLimit({ route: 'all', count: 4, retryAfterMs: 200 });
    await reporter.delivered(job, result());
    await reporter.progress(job, { stage: 'encoding', percent: 99 });
    await editor.idle();
    expect(fake.rateLimitedCount).toBeGreaterThanOrEqual(1);
    expect(fake.message(messageId)!.content).toContain('Done');
    expect(fake.message(messageId)!.attachments).toHaveLength(1);
  });

  it('delivering twice edits the same message and posts nothing new', async () => {
    const job = await jobWithMessage();
    const before = fake.messages().length;
    await reporter.delivered(job, result());
    await reporter.delivered(job, result());
    expect(fake.messages().length).toBe(before);
    expect(fake.message(job.data.discord!.messageId)!.attachments).toHaveLength(1);
  });
});
