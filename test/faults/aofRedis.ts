import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { Redis } from 'ioredis';

/**
 * A redis-server of the fault suite's own with the append-only file on (fsync on every
 * write, as an operator who cares about jobs would run it), that can be SIGKILLed and
 * started again on the same port and directory. Ports 16500–16599, workdirs /tmp/reliab-*.
 */
export type AofRedis = { url: string; kill9(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };

export async function startAofRedis(port = 16500 + Math.floor(Math.random() * 100)): Promise<AofRedis> {
  const dir = await mkdtemp('/tmp/reliab-redis-');
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'], { stdio: 'ignore' });
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    probe.on('error', () => {});
    for (let tries = 0; ; tries += 1) {
      try {
        await probe.connect();
        // Loading the AOF answers LOADING; wait until it is served.
        await probe.ping();
        break;
      } catch (error) {
        probe.disconnect();
        if (tries > 200 || child.exitCode !== null) throw new Error(`redis-server on ${port} did not start`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    probe.disconnect();
  };
  const kill9 = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url,
    kill9,
    start,
    async stop() {
      await kill9();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
