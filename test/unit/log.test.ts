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
});
