import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A tiny stand-in for ComfyUI's socket side, for what the simulator cannot show directly:
 * which frames the client sent, how many sockets one clientId had open at once.
 */
export type FakeComfy = {
  url: string;
  /** Sockets currently open, by clientId. */
  open: Map<string, Set<WebSocket>>;
  /** Most sockets one clientId ever had open at the same time. */
  maxConcurrentPerClient: number;
  connections: number;
  /** Text frames the clients sent, in order. */
  received: string[];
  features: boolean;
  send(clientId: string, frame: string | Buffer): void;
  dropAll(): void;
  nextConnection(): Promise<WebSocket>;
  close(): Promise<void>;
};

export async function startFakeComfy(options: { features?: boolean } = {}): Promise<FakeComfy> {
  const server: Server = createServer((request, response) => {
    if (request.url === '/features' && fake.features) {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"supports_preview_metadata": true}');
      return;
    }
    response.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server });
  const waiters: Array<(ws: WebSocket) => void> = [];
  const fake: FakeComfy = {
    url: '',
    open: new Map(),
    maxConcurrentPerClient: 0,
    connections: 0,
    received: [],
    features: options.features ?? true,
    send(clientId, frame) {
      for (const ws of fake.open.get(clientId) ?? []) ws.send(frame);
    },
    dropAll() {
      for (const set of fake.open.values()) for (const ws of set) ws.terminate();
    },
    nextConnection: () => new Promise((resolve) => waiters.push(resolve)),
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  wss.on('connection', (ws, request) => {
    const clientId = new URL(request.url ?? '/', 'http://x').searchParams.get('clientId') ?? 'anonymous';
    const set = fake.open.get(clientId) ?? new Set();
    set.add(ws);
    fake.open.set(clientId, set);
    fake.connections += 1;
    fake.maxConcurrentPerClient = Math.max(fake.maxConcurrentPerClient, set.size);
    ws.on('message', (data) => fake.received.push(data.toString()));
    ws.on('close', () => set.delete(ws));
    ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: clientId } }));
    waiters.shift()?.(ws);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
