import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startComfySimulator, type ComfySimulator } from '../../src/simulator/index.ts';
import { startFakeDiscord, type FakeDiscord, type FakeMessage } from '../support/fake-discord/index.ts';
import { discordEnvFor, registerCommands } from '../support/botOnFake.ts';
import { testImage } from './harness.ts';

/**
 * The real entry points as an operator runs them (`npm start`, or `npm run bot` beside
 * `npm run worker`: the esbuild bundle of src/main.ts run by node), each a child process
 * configured only by its environment.
 */

beforeAll(() => {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'ignore' });
});

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const hasVideo = (m: FakeMessage | undefined) => (m?.attachments ?? []).some((a) => a.filename.endsWith('.mp4'));

type World = { fake: FakeDiscord; simulator: ComfySimulator; env: Record<string, string>; children: ChildProcess[]; dataDir: string; prefix: string };
let world: World | undefined;

async function startWorld(): Promise<World> {
  const fake = await startFakeDiscord();
  const simulator = await startComfySimulator({ knobs: { secondsPerStep: 0.05 } });
  const dataDir = await mkdtemp(join(tmpdir(), 'oelala-processes-'));
  const prefix = `oelala-proc-${randomUUID().slice(0, 8)}`;
  await registerCommands(fake);
  const env = {
    ...process.env,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    COMFYUI_URL: simulator.url,
    ...discordEnvFor(fake),
    DATA_DIR: dataDir,
    EDIT_INTERVAL_MS: '300',
    SHUTDOWN_GRACE_SECONDS: '2',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  } as Record<string, string>;
  return { fake, simulator, env, children: [], dataDir, prefix };
}

function run(w: World, mode: 'all' | 'bot' | 'worker'): ChildProcess {
  // What `npm start` / `npm run bot|worker` run after building; node itself, so a signal reaches our code.
  const child = spawn(process.execPath, ['--max-semi-space-size=2', 'dist/main.mjs', mode], { env: w.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) process.stderr.write(`main.ts ${mode} exited ${code}:\n${stderr}\n`);
  });
  w.children.push(child);
  return child;
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

afterEach(async () => {
  if (!world) return;
  for (const child of world.children) if (child.exitCode === null) child.kill('SIGKILL');
  await world.fake.close();
  await world.simulator.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${world.prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await rm(world.dataDir, { recursive: true, force: true });
  world = undefined;
});

describe('the processes an operator runs', () => {
  it('npm start (bot and worker in one process) answers /i2v with a video, then stops cleanly on SIGTERM', async () => {
    world = await startWorld();
    const all = run(world, 'all');
    await world.fake.waitForSession({ timeoutMs: 30_000 });

    const handle = world.fake.invokeCommand({ name: 'i2v', options: { prompt: 'a lantern sways', preset: 'fast' }, attachment: { filename: 'lantern.png', data: await testImage() } });
    expect((await handle.acked()).type).toBe(5);
    const done = await handle.waitForResponse(hasVideo, { timeoutMs: 45_000 });
    expect(done.content).toContain('a lantern sways');

    all.kill('SIGTERM');
    expect(await exitCode(all)).toBe(0);
  });

  it('npm run bot beside npm run worker: the worker, with no gateway, edits the status message into the video', async () => {
    world = await startWorld();
    run(world, 'bot');
    await world.fake.waitForSession({ timeoutMs: 30_000 });
    const worker = run(world, 'worker');

    const handle = world.fake.invokeCommand({ name: 'i2v', options: { prompt: 'waves roll in', preset: 'fast' }, attachment: { filename: 'sea.png', data: await testImage() } });
    const done = await handle.waitForResponse(hasVideo, { timeoutMs: 45_000 });
    expect(done.content).toContain('waves roll in');
    // Only the bot holds a gateway session; the worker talked to Discord over REST alone.
    expect(world.fake.gatewayEvents.filter((event) => event.kind === 'identify')).toHaveLength(1);

    worker.kill('SIGTERM');
    expect(await exitCode(worker)).toBe(0);
  });
});
