import { createReadStream, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';

/**
 * A transparent HTTP + WebSocket proxy in front of a ComfyUI simulator that answers
 * `GET /view` of an MP4 with a prepared file instead: the simulator renders small
 * videos, and some figures need the worker to fetch an 8 MB or 25 MB one. Everything
 * else (prompts, the socket, timestamps) is the simulator's own.
 */

export type ComfyProxy = { url: string; close(): Promise<void> };

export async function startSubstitutingProxy(target: string, videoPath: string): Promise<ComfyProxy> {
  const upstream = new URL(target);
  const port = Number(upstream.port);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (req.method === 'GET' && url.pathname.endsWith('/view') && /\.mp4$/i.test(url.searchParams.get('filename') ?? '')) {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(statSync(videoPath).size) });
      createReadStream(videoPath).pipe(res);
      return;
    }
    const forward = request({ host: upstream.hostname, port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  // WebSocket upgrades: replay the request head to the simulator and splice the two sockets.
  server.on('upgrade', (req, socket, head) => {
    const out = connect(port, upstream.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      out.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) out.write(head);
      out.pipe(socket).pipe(out);
    });
    out.on('error', () => socket.destroy());
    socket.on('error', () => out.destroy());
    socket.on('close', () => out.destroy());
    out.on('close', () => socket.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const { port: own } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${own}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
