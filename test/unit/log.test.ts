import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('logging', () => {
  it('never writes a bot token, an interaction token or an authorization header, wherever they sit', () => {
    const { lines, logger } = capture();
    const secret = 'MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs';
    const config = parseConfig({ DISCORD_TOKEN: secret });
    if (!config.ok) throw new Error('config');
    logger.info({ config: config.config }, 'started');
    logger.info({ token: secret, request: { headers: { authorization: `Bot ${secret}` } } }, 'request');
    logger.child({ jobId: 'j1' }).warn({ interaction: { token: secret } }, 'edit failed');
    const text = lines.join('');
    expect(lines).toHaveLength(3);
    expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    expect(JSON.parse(lines[2]!)).toMatchObject({ jobId: 'j1', msg: 'edit failed' });
  });

  it('bounds every line: long strings trimmed, byte buffers and long arrays named, errors keep type and message', () => {
    const { lines, logger } = capture();
    const error = Object.assign(new Error('upload failed'), { status: 500, detail: 'x'.repeat(1_000_000), frames: Array.from({ length: 5000 }, (_, i) => i) });
    logger.error({ err: error, jobId: 'j1', video: Buffer.alloc(3_000_000, 1), nested: { deeper: { still: { more: { and: { more: { bytes: new Uint8Array(10) } } } } } } }, 'x'.repeat(100_000));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBeLessThan(16 * 1024);
    const line = JSON.parse(lines[0]!) as { err: Record<string, unknown>; video: string; jobId: string; msg: string };
    expect(line.err).toMatchObject({ type: 'Error', message: 'upload failed', status: 500 });
    expect(String(line.err.detail)).toMatch(/more chars]$/);
    expect(line.video).toBe('[3000000 bytes]');
    expect(line.jobId).toBe('j1');
    expect(line.msg.length).toBeLessThan(3000);
  });
});
