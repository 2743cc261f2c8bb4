import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The /ws endpoint and ComfyUI's routing rules: a message for a sid goes only to the
 * socket registered under it (dropped when there is none), sid undefined broadcasts.
 * Like the real server, a second socket with the same clientId replaces the first in the
 * map, and when the first later closes it unregisters the second (protocol §2.1).
 */
export type SocketHub = {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  send(type: string, data: unknown, sid: string | undefined): void;
  /** A binary frame; `build` receives whether that socket negotiated preview metadata. */
  sendBinary(sid: string | undefined, build: (supportsMetadata: boolean) => Buffer | undefined): void;
  hasSocket(sid: string): boolean;
  /** Close every socket (a dropped connection or a restart). */
  dropAll(): void;
  close(): Promise<void>;
};

export type SocketHubEvents = {
  /** What a freshly connected socket is told first: queue size, and the running node if it is this client's. */
  onConnect: (sid: string) => { queueRemaining: number; runningNode: string | undefined };
  /** The /features body, or undefined on an old server (no feature_flags reply). */
  features: () => unknown;
};

export function createSocketHub(events: SocketHubEvents): SocketHub {
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Map<string, WebSocket>();
  const metadata = new WeakMap<WebSocket, { supportsMetadata: boolean }>();
  const all = new Set<WebSocket>();

  wss.on('connection', (ws: WebSocket, request: IncomingMessage) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const sid = url.searchParams.get('clientId') || randomUUID().replaceAll('-', '');
    sockets.set(sid, ws);
    all.add(ws);
    metadata.set(ws, { supportsMetadata: false });
    const hello = events.onConnect(sid);
    ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: hello.queueRemaining } }, sid } }));
    if (hello.runningNode !== undefined) ws.send(JSON.stringify({ type: 'executing', data: { node: hello.runningNode } }));
    let first = true;
    ws.on('message', (raw, isBinary) => {
      if (isBinary) return;
      const wasFirst = first;
      first = false;
      let message: unknown;
      try {
        message = JSON.parse(raw.toString());
      } catch {
        return;
      }
      const m = message as { type?: unknown; data?: { supports_preview_metadata?: unknown } };
      if (!wasFirst || m.type !== 'feature_flags') return;
      const features = events.features();
      if (features === undefined) return;
      metadata.set(ws, { supportsMetadata: m.data?.supports_preview_metadata === true });
      ws.send(JSON.stringify({ type: 'feature_flags', data: features }));
    });
    ws.on('close', () => {
      all.delete(ws);
      sockets.delete(sid);
    });
    ws.on('error', () => undefined);
  });

  const targets = (sid: string | undefined): WebSocket[] => {
    if (sid === undefined) return [...sockets.values()];
    const ws = sockets.get(sid);
    return ws ? [ws] : [];
  };
  const open = (ws: WebSocket): boolean => ws.readyState === ws.OPEN;

  return {
    handleUpgrade(request, socket, head) {
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    },
    send(type, data, sid) {
      const text = JSON.stringify({ type, data });
      for (const ws of targets(sid)) if (open(ws)) ws.send(text);
    },
    sendBinary(sid, build) {
      for (const ws of targets(sid)) {
        const frame = build(metadata.get(ws)?.supportsMetadata ?? false);
        if (frame && open(ws)) ws.send(frame);
      }
    },
    hasSocket: (sid) => sockets.has(sid),
    dropAll() {
      for (const ws of all) ws.terminate();
      all.clear();
      sockets.clear();
    },
    close() {
      for (const ws of all) ws.terminate();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}
