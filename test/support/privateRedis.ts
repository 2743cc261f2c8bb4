import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/**
 * A redis-server of a test's own, on a free port, for faults that must not touch the
 * machine's shared Redis (killing every client, stopping the server).
 */
export type PrivateRedis = {
  url: string;
  port: number;
  /** Drop every client connection, as a network blink or a Redis failover does. */
  killClients(): Promise<number>;
  stop(): Promise<void>;
};

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  // Refused connects while the server starts are expected; the loop below retries them.
  admin.on('error', () => {});
  for (let tries = 0; ; tries += 1) {
    try {
      await admin.connect();
      await admin.ping();
      break;
    } catch (error) {
      if (tries > 100 || child.exitCode !== null) throw new Error(`redis-server on ${port} did not start`, { cause: error });
      admin.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    port,
    async killClients() {
      const normal = Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes'));
      const pubsub = Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub'));
      return normal + pubsub;
    },
    async stop() {
      admin.disconnect();
      child.kill('SIGKILL');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}
