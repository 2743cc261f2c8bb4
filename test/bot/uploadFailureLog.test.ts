import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { REST, Routes } from 'discord.js';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createStatusEditor } from '../../src/status/statusEditor.ts';
import { createLogger } from '../../src/log.ts';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.ts';
import { REDIS_URL } from '../queue/helpers.ts';

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', destination }) };
}

/** A real H.264 file of a few hundred KiB, noisy so it does not compress away. */
async function makeVideo(dir: string): Promise<string> {
  const path = join(dir, 'clip.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'nullsrc=s=320x240:d=2,geq=random(1)*255:128:128', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '10', '-y', path]);
  return path;
}

describe('logs carry no payloads', () => {
  it('an upload Discord keeps failing is logged with its context, not with the MP4 bytes', async () => {
    const fake: FakeDiscord = await startFakeDiscord();
    cleanups.push(() => fake.close());
    const dir = await mkdtemp(join(tmpdir(), 'oelala-logs-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const redis = new Redis(REDIS_URL);
    const prefix = `oelala-logs-${randomUUID().slice(0, 8)}`;
    cleanups.push(async () => {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    });
    const video = await makeVideo(dir);
    const bytes = await readFile(video);
    expect(bytes.length).toBeGreaterThan(100 * 1024);

    const rest = new REST({ api: fake.apiBase, version: '10' }).setToken(fake.token);
    const message = (await rest.post(Routes.channelMessages(fake.channelId), { body: { content: '⏳ running' } })) as { id: string };
    const { lines, logger } = capture();
    const editor = createStatusEditor({ rest, redis, prefix, logger, intervalMs: 50 });
    cleanups.push(async () => editor.close());

    fake.force5xx({ route: 'channel', count: 1000, status: 502 });
    void editor.showFinal({ channelId: fake.channelId, messageId: message.id }, { kind: 'delivered', final: true, content: '✅ done', file: { path: video, name: 'job.mp4' } });
    await fake.waitFor(() => lines.find((line) => line.includes('status edit failed')), { timeoutMs: 20_000 });

    const failure = JSON.parse(lines.find((line) => line.includes('status edit failed'))!) as { err: Record<string, unknown>; messageId: string };
    // The context an admin needs stays: which message, which request, what Discord answered.
    expect(failure.messageId).toBe(message.id);
    expect(failure.err).toMatchObject({ method: 'PATCH', status: 502 });
    expect(String(failure.err.url)).toContain(`/messages/${message.id}`);
    expect(JSON.stringify(failure.err.requestBody)).toContain('job.mp4');
    // Not a byte of the file: neither as discord.js's JSON byte array nor as text.
    const head = [...bytes.subarray(0, 16)].join(',');
    for (const line of lines) {
      expect(line).not.toContain(head);
      expect(line).not.toContain(bytes.subarray(0, 64).toString('base64'));
      expect(line.length).toBeLessThan(16 * 1024);
    }
  });
});
