import { afterEach, describe, expect, it } from 'vitest';
import type { ComfyMessage } from '../../src/comfy/messages.ts';
import { backoffDelay, createComfySocket, defaultBackoff, type ComfySocket, type SocketState } from '../../src/comfy/socket.ts';
import { readBinary } from './recordings.ts';
import { startFakeComfy, type FakeComfy } from './fakeComfy.ts';

const fast = { initialMs: 5, maxMs: 20, factor: 2, jitter: 0.2 };
let fake: FakeComfy | undefined;
let socket: ComfySocket | undefined;

afterEach(async () => {
  await socket?.close();
  await fake?.close();
  socket = undefined;
  fake = undefined;
});

function collect(target: ComfySocket, promptId: string): ComfyMessage[] {
  const seen: ComfyMessage[] = [];
  target.subscribe(promptId, (message) => seen.push(message));
  return seen;
}

function until<T>(subscribe: (resolve: (value: T) => void) => void): Promise<T> {
  return new Promise(subscribe);
}

const frame = (type: string, data: unknown) => JSON.stringify({ type, data });

describe('the ComfyUI socket', () => {
  it('routes each prompt its own messages and ignores what it does not know', async () => {
    fake = await startFakeComfy();
    socket = createComfySocket({ baseUrl: fake.url, clientId: 'w1', backoff: fast });
    await socket.waitUntilOpen();
    const mine = collect(socket, 'p1');
    const theirs = collect(socket, 'p2');
    const done = until<void>((resolve) => socket?.subscribe('p1', (message) => message.type === 'execution_success' && resolve()));
    fake.send('w1', frame('execution_start', { prompt_id: 'p1', timestamp: 1 }));
    fake.send('w1', frame('crystools.monitor', { cpu_utilization: 3 }));
    fake.send('w1', 'not json at all');
    fake.send('w1', frame('progress', { value: 1, max: 3, prompt_id: 'p1', node: '15' }));
    fake.send('w1', frame('execution_success', { prompt_id: 'p1', timestamp: 2 }));
    await done;
    expect(mine.map((message) => message.type)).toEqual(['execution_start', 'progress', 'execution_success']);
    expect(theirs).toEqual([]);
  });

  it('gives a preview without ids (type 1) and the id-less executing to the prompt that is running', async () => {
    fake = await startFakeComfy();
    socket = createComfySocket({ baseUrl: fake.url, clientId: 'w1', backoff: fast });
    await socket.waitUntilOpen();
    const mine = collect(socket, 'p1');
    const previewed = until<void>((resolve) => socket?.subscribe('p1', (message) => message.type === 'preview' && resolve()));
    fake.send('w1', frame('execution_start', { prompt_id: 'p1', timestamp: 1 }));
    fake.send('w1', frame('executing', { node: '15' }));
    fake.send('w1', readBinary('v0.8.0', '12-wan-i2v-stubbed-run-binary-previews.binframe1.bin'));
    await previewed;
    expect(mine.map((message) => message.type)).toEqual(['execution_start', 'executing', 'preview']);
    expect(mine[2]).toMatchObject({ promptId: 'p1', mime: 'image/jpeg' });
  });

  it('asks for preview metadata first when the server has /features, and not when it does not', async () => {
    fake = await startFakeComfy({ features: true });
    socket = createComfySocket({ baseUrl: fake.url, clientId: 'w1', backoff: fast });
    await socket.waitUntilOpen();
    await until<void>((resolve) => {
      const check = () => (fake?.received.length ? resolve() : setTimeout(check, 5));
      check();
    });
    expect(JSON.parse(fake.received[0] ?? '{}')).toEqual({ type: 'feature_flags', data: { supports_preview_metadata: true } });
    await socket.close();

    fake.features = false;
    fake.received.length = 0;
    socket = createComfySocket({ baseUrl: fake.url, clientId: 'w2', backoff: fast });
    await socket.waitUntilOpen();
    // A message round trip proves the server had time to receive anything we sent first.
    const echoed = until<void>((resolve) => socket?.onMessage((message) => message.type === 'status' && message.queueRemaining === 7 && resolve()));
    fake.send('w2', frame('status', { status: { exec_info: { queue_remaining: 7 } } }));
    await echoed;
    expect(fake.received).toEqual([]);
  });

  it('reconnects after a drop under the same id, never with two sockets open for it', async () => {
    fake = await startFakeComfy();
    socket = createComfySocket({ baseUrl: fake.url, clientId: 'w1', backoff: fast });
    await socket.waitUntilOpen();
    const states: SocketState[] = [];
    socket.onState((state) => states.push(state));
    for (let drop = 0; drop < 3; drop += 1) {
      const reopened = fake.nextConnection();
      fake.dropAll();
      await reopened;
      await until<void>((resolve) => (socket?.state === 'open' ? resolve() : socket?.onState((state) => state === 'open' && resolve())));
    }
    expect(fake.connections).toBe(4);
    expect(fake.maxConcurrentPerClient).toBe(1);
    expect(states).toEqual(['reconnecting', 'open', 'reconnecting', 'open', 'reconnecting', 'open']);
    const mine = collect(socket, 'p9');
    const got = until<void>((resolve) => socket?.subscribe('p9', () => resolve()));
    fake.send('w1', frame('execution_start', { prompt_id: 'p9' }));
    await got;
    expect(mine).toHaveLength(1);
  });

  it('keeps trying while ComfyUI is down and stops for good on close()', async () => {
    fake = await startFakeComfy();
    const url = fake.url;
    await fake.close();
    fake = undefined;
    socket = createComfySocket({ baseUrl: url, clientId: 'w1', backoff: fast });
    await until<void>((resolve) => socket?.onState((state) => state === 'reconnecting' && resolve()));
    await socket.close();
    expect(socket.state).toBe('closed');
    await expect(socket.waitUntilOpen()).rejects.toThrow();
  });

  it('spreads reconnect delays with jitter and caps them', () => {
    expect(backoffDelay(0, defaultBackoff, 0.5)).toBe(250);
    expect(backoffDelay(3, defaultBackoff, 0.5)).toBe(2000);
    expect(backoffDelay(30, defaultBackoff, 0.5)).toBe(10_000);
    expect(backoffDelay(0, defaultBackoff, 0)).toBe(175);
    expect(backoffDelay(0, defaultBackoff, 0.999)).toBeLessThanOrEqual(325);
  });
});
