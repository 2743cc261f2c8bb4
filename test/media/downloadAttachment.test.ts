import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAttachmentUrl, downloadAttachment } from '../../src/media/index.ts';
import { UserError } from '../../src/errors.ts';

/** A fake Discord CDN on 127.0.0.1, with the faults an attachment URL can lead to. */
const image = Buffer.alloc(50_000, 7);
let server: Server;
let port: number;
let requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    switch (path) {
      case '/attachments/cat.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length }).end(image);
        return;
      case '/attachments/declared-huge.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': 30 * 1024 * 1024 });
        res.write(image); // then hang: we must refuse on the header alone
        return;
      case '/attachments/streamed-huge.png': {
        // No Content-Length: chunked, and more than the cap.
        res.writeHead(200, { 'content-type': 'image/png' });
        for (let i = 0; i < 10; i++) res.write(image);
        res.end();
        return;
      }
      case '/attachments/stalls.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length });
        res.write(image.subarray(0, 100)); // and never the rest
        return;
      case '/moved':
        res.writeHead(302, { location: '/attachments/cat.png?ex=1' }).end();
        return;
      case '/elsewhere':
        res.writeHead(302, { location: `http://localhost:${port}/attachments/cat.png` }).end();
        return;
      case '/loop':
        res.writeHead(307, { location: '/loop' }).end();
        return;
      default:
        res.writeHead(404).end('gone');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const options = () => ({ allowedHosts: [`127.0.0.1:${port}`, `localhost:${port}`], maxBytes: 200_000, timeoutMs: 5_000 });
const url = (path: string) => `http://127.0.0.1:${port}${path}`;

async function refusal(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('downloadAttachment', () => {
  it('downloads an image from an allowed host', async () => {
    const body = await downloadAttachment(url('/attachments/cat.png?ex=1&is=2&hm=3'), options());
    expect(body.equals(image)).toBe(true);
  });

  it('refuses a host that is not allowed without contacting it', async () => {
    requests = [];
    const error = await refusal(downloadAttachment(url('/attachments/cat.png'), { ...options(), allowedHosts: ['cdn.discordapp.com'] }));
    expect(error.code).toBe('attachment_host');
    expect(requests).toEqual([]);
  });

  it('refuses an allowed hostname on another port when the entry names a port', async () => {
    const error = await refusal(downloadAttachment(url('/attachments/cat.png'), { ...options(), allowedHosts: ['127.0.0.1:1'] }));
    expect(error.code).toBe('attachment_host');
  });

  it('follows a redirect on the same host', async () => {
    const body = await downloadAttachment(url('/moved'), options());
    expect(body.length).toBe(image.length);
  });

  it('refuses a redirect to another host, even one on the allow list', async () => {
    requests = [];
    const error = await refusal(downloadAttachment(url('/elsewhere'), options()));
    expect(error.code).toBe('attachment_host');
    expect(requests).toEqual(['/elsewhere']);
  });

  it('gives up on a redirect loop after a few hops', async () => {
    requests = [];
    const error = await refusal(downloadAttachment(url('/loop'), options()));
    expect(error.code).toBe('attachment_fetch');
    expect(requests.length).toBe(4);
  });

  it('refuses a file whose Content-Length is over the cap, in words with the limit', async () => {
    const error = await refusal(downloadAttachment(url('/attachments/declared-huge.png'), { ...options(), maxBytes: 25 * 1024 * 1024 }));
    expect(error.code).toBe('attachment_too_large');
    expect(error.message).toBe('That file is larger than 25 MB; please send a smaller image.');
  });

  it('refuses a body that grows past the cap while streaming', async () => {
    const error = await refusal(downloadAttachment(url('/attachments/streamed-huge.png'), options()));
    expect(error.code).toBe('attachment_too_large');
  });

  it('times out on a CDN that stops sending', async () => {
    const error = await refusal(downloadAttachment(url('/attachments/stalls.png'), { ...options(), timeoutMs: 300 }));
    expect(error.code).toBe('attachment_timeout');
  });

  it('says the link expired on a 404', async () => {
    const error = await refusal(downloadAttachment(url('/attachments/expired.png'), options()));
    expect(error.code).toBe('attachment_fetch');
    expect(error.message).toMatch(/expired/);
  });

  it('rejects with the reason, not a refusal, when the caller aborts', async () => {
    const controller = new AbortController();
    const download = downloadAttachment(url('/attachments/stalls.png'), { ...options(), signal: controller.signal });
    controller.abort(new Error('job cancelled'));
    await expect(download).rejects.toThrow('job cancelled');
  });
});

describe('checkAttachmentUrl', () => {
  const discord = ['cdn.discordapp.com', 'media.discordapp.net'];
  it.each([
    ['https://cdn.discordapp.com/attachments/1/2/cat.png?ex=1', true],
    ['https://media.discordapp.net/attachments/1/2/cat.png', true],
    ['https://CDN.discordapp.com/x.png', true],
    ['http://cdn.discordapp.com/x.png', false], // plain http only for loopback
    ['https://cdn.discordapp.com.evil.example/x.png', false],
    ['https://evil.example/cdn.discordapp.com/x.png', false],
    ['https://user:pw@cdn.discordapp.com/x.png', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
  ])('GIVEN %s THEN allowed is %s', (raw, allowed) => {
    expect(checkAttachmentUrl(raw, discord).ok).toBe(allowed);
  });

  it('allows plain http to an allowed loopback host', () => {
    expect(checkAttachmentUrl('http://127.0.0.1:4010/a.png', ['127.0.0.1']).ok).toBe(true);
    expect(checkAttachmentUrl('http://127.0.0.1:4010/a.png', ['127.0.0.1:4011']).ok).toBe(false);
  });
});
