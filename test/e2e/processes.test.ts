import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../support/fake-discord/index.ts';
import { discordEnvFor, registerCommands } from '../support/botOnFake.ts';
import { testImage } from '../support/jobs.ts';
import { openWorld, type World } from '../support/world.ts';

/**
 * The real entry points as an operator runs them (`npm start`, or `npm run bot` beside
 * `npm run worker`: the esbuild bundle of src/main.ts run by node), each a child process
 * configured only by its environment.
 */

beforeAll(() => {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'ignore' });
});

const hasVideo = (m: FakeMessage | undefined) => (m?.attachments ?? []).some((a) => a.filename.endsWith('.mp4'));

type Operated = World & { env: Record<string, string>; children: ChildProcess[] };
let world: Operated | undefined;

async function startWorld(): Promise<Operated> {
  const base = await openWorld({ discord: true, simulators: { knobs: { secondsPerStep: 0.05 } } });
  await registerCommands(base.fake, base.config.PRESET_DIR);
  const env = {
    ...process.env,
    REDIS_URL: base.config.REDIS_URL,
    QUEUE_PREFIX: base.prefix,
    COMFYUI_URL: base.simulator.url,
    ...discordEnvFor(base.fake),
    DATA_DIR: base.dataDir,
    EDIT_INTERVAL_MS: '300',
    SHUTDOWN_GRACE_SECONDS: '2',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  } as Record<string, string>;
  return Object.assign(base, { env, children: [] as ChildProcess[] });
}

function run(w: Operated, mode: 'all' | 'bot' | 'worker'): ChildProcess {
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
  for (const child of world.children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  await world.close();
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
