import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { REDIS_URL } from '../queue/helpers.ts';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

it('a worker whose METRICS_PORT is taken says which port and which variable, and exits', async () => {
  const squatter = createServer().listen(0, '127.0.0.1');
  await once(squatter, 'listening');
  closers.push(() => squatter.close());
  const port = (squatter.address() as { port: number }).port;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
    env: { PATH: process.env.PATH, REDIS_URL, METRICS_PORT: String(port), COMFYUI_URL: 'http://127.0.0.1:9', LOG_LEVEL: 'silent', QUEUE_PREFIX: `oelala-test-port-${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  closers.push(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  expect(code).toBe(1);
  expect(stderr).toContain(`METRICS_PORT ${port} on 127.0.0.1 is already in use`);
});
