import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { renderDelivered } from '../../src/status/statusMessage.ts';
import { startHealthServer, type HealthServer } from '../../src/ops/healthServer.ts';
import { startOps, type Ops } from '../../src/ops/startOps.ts';
import { createVideoLinks } from '../../src/ops/videoLinks.ts';
import { createJobId, enqueueJob } from '../../src/queue/index.ts';
import { is, makeDataDir } from '../worker/helpers.ts';
import { sampleJob } from '../support/jobs.ts';
import { openWorld, quickTuning, type World } from '../support/world.ts';

const SECRET = 'a'.repeat(64);
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function servedVideo(now: () => number = Date.now) {
  const data = await makeDataDir();
  cleanups.push(() => data.remove());
  const file = join(data.dir, 'outputs', 'abcdefghij', 'abcdefghij-a1_00001.mp4');
  await mkdir(join(data.dir, 'outputs', 'abcdefghij'), { recursive: true });
  await writeFile(file, 'the video bytes');
  await writeFile(join(data.dir, 'secret.txt'), 'not for you');
  const links = createVideoLinks({ publicBaseUrl: 'https://bot.example.org/', dataDir: data.dir, secret: SECRET, ttlMs: 60_000 });
  const server: HealthServer = await startHealthServer({ host: '127.0.0.1', port: 0, logger: silentLogger, readiness: () => [], videoLinks: { sign: links.sign, resolve: (path, query) => links.resolve(path, query, now()) } });
  cleanups.push(() => server.close());
  const local = (url: string) => url.replace('https://bot.example.org', server.url);
  return { data, file, links, server, local };
}

describe('signed links to videos too large to post', () => {
  it('GIVEN a signed link THEN the health server serves exactly that file', async () => {
    const { file, links, local } = await servedVideo();
    const link = links.sign(file);
    expect(link?.url).toMatch(/^https:\/\/bot\.example\.org\/videos\/abcdefghij\/abcdefghij-a1_00001\.mp4\?expires=\d+&sig=[\w-]{43}$/);
    const response = await fetch(local(link!.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(await response.text()).toBe('the video bytes');
  });

  it('GIVEN a Range request THEN 206 with just those bytes; a range past the end is 416', async () => {
    const { file, links, local } = await servedVideo();
    const url = local(links.sign(file)!.url);
    const part = await fetch(url, { headers: { range: 'bytes=4-8' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 4-8/15');
    expect(await part.text()).toBe('video');
    const tail = await fetch(url, { headers: { range: 'bytes=-5' } });
    expect(await tail.text()).toBe('bytes');
    expect((await fetch(url, { headers: { range: 'bytes=99-' } })).status).toBe(416);
  });

  it('GIVEN a tampered signature, another file under the same signature, or a changed expiry THEN 404 and no file', async () => {
    const { file, links, local } = await servedVideo();
    const url = new URL(local(links.sign(file)!.url));
    const sig = url.searchParams.get('sig')!;
    const variants = [
      (u: URL) => u.searchParams.set('sig', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)),
      (u: URL) => u.searchParams.delete('sig'),
      (u: URL) => (u.pathname = '/videos/abcdefghij/other.mp4'),
      (u: URL) => u.searchParams.set('expires', String(Number(u.searchParams.get('expires')) + 3600)),
    ];
    for (const change of variants) {
      const tampered = new URL(url);
      change(tampered);
      const response = await fetch(tampered);
      expect(response.status, tampered.href).toBe(404);
      expect(await response.text()).toBe('not found\n');
    }
  });

  it('GIVEN a link past its expiry THEN 404', async () => {
    let now = Date.now();
    const { file, links, local } = await servedVideo(() => now);
    const url = local(links.sign(file, now)!.url);
    expect((await fetch(url)).status).toBe(200);
    now += 61_000;
    expect((await fetch(url)).status).toBe(404);
  });

  it('GIVEN a path with .. (raw or encoded), even one signed with the secret, THEN 404 and nothing outside outputs is read', async () => {
    const { server, data, links } = await servedVideo();
    expect(links.sign(join(data.dir, 'secret.txt'))).toBeUndefined();
    expect(links.sign(join(data.dir, 'outputs', '..', 'secret.txt'))).toBeUndefined();
    const expires = Math.floor(Date.now() / 1000) + 600;
    for (const path of ['..%2Fsecret.txt', 'abcdefghij/..%2F..%2Fsecret.txt', '%2E%2E/secret.txt', 'abcdefghij/../../secret.txt']) {
      const sig = createHmac('sha256', SECRET).update(`${path}\n${expires}`).digest('base64url');
      // Raw request: fetch would normalise the dots away before they reach the server.
      const response = await rawGet(server.url, `/videos/${path}?expires=${expires}&sig=${sig}`);
      expect(response.status, path).toBe(404);
      expect(response.body).not.toContain('not for you');
    }
  });
});

async function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the message of a video too large to post', () => {
  const facts = (videoUrl?: string) => ({
    jobId: 'abcdefghij',
    data: sampleJob({ image: '/x.png' }),
    result: { videoPath: '/v.mp4', bytes: 30_000_000, width: 480, height: 480, frames: 81, fps: 16, durationSeconds: 5, seed: 1, gpuSeconds: 60, reencoded: true, fallbackFramePath: '/f.png', instance: 'http://c', promptId: 'p', ...(videoUrl ? { videoUrl, videoUrlExpiresAt: 1_900_000_000_000 } : {}) },
  });
  it('GIVEN no PUBLIC_BASE_URL THEN it offers the frame, says how to get a smaller video, and promises no link', () => {
    const view = renderDelivered(facts());
    expect(view.content).toContain('here is a frame from it.');
    expect(view.content).toContain('Fewer frames or the `fast` preset make a smaller file.');
    expect(view.content).not.toMatch(/link|https?:/i);
  });
  it('GIVEN a signed link THEN the message carries it and when it stops working', () => {
    const view = renderDelivered(facts('https://bot.example.org/videos/a/b.mp4?expires=1&sig=x'));
    expect(view.content).toContain('and the full video: https://bot.example.org/videos/a/b.mp4?expires=1&sig=x (the link works until <t:1900000000:f>)');
  });
});

describe('a worker with PUBLIC_BASE_URL', () => {
  let harness: World | undefined;
  let ops: Ops | undefined;
  afterEach(async () => {
    await ops?.close();
    await harness?.close();
  });

  it('GIVEN a video that cannot fit even re-encoded THEN the result links to it, and the link serves the same bytes', async () => {
    harness = await openWorld({ simulators: {}, tuning: quickTuning, jobDefaults: { backoffMs: 50 } });
    const opsConfig = harness.configWith({ PUBLIC_BASE_URL: 'http://placeholder.invalid', LINK_SECRET: SECRET });
    ops = await startOps({ config: opsConfig, logger: silentLogger, port: 0 });
    const base = ops.server!.url;
    const worker = await harness.startWorker({ env: { PUBLIC_BASE_URL: base, LINK_SECRET: SECRET } });
    ops.attach({ queue: harness.queue, worker });
    const jobId = await enqueueJob(harness.queue, sampleJob({ image: harness.input, sizeLimit: 2_000 }), { jobId: createJobId() });
    const { result } = await harness.recorded.waitFor(is.delivered(jobId));
    expect(result.fallbackFramePath).toBeDefined();
    expect(result.videoUrl?.startsWith(`${base}/videos/${jobId}/`)).toBe(true);
    const response = await fetch(result.videoUrl!);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(await readFile(result.videoPath))).toBe(true);
  });
});

