import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { imageDimensions, sniffContentType } from '../support/fake-discord/media.ts';
import { createClock, createSnowflakes, snowflakeTime } from '../support/fake-discord/clock.ts';

describe('fake Discord: what its media pipeline says about a file', () => {
  const image = sharp({ create: { width: 300, height: 200, channels: 3, background: '#468' } });

  it.each([
    ['png', 'image/png'],
    ['jpeg', 'image/jpeg'],
    ['webp', 'image/webp'],
    ['gif', 'image/gif'],
  ] as const)('a 300x200 %s is %s, 300 by 200', async (format, contentType) => {
    const data = await image.clone().toFormat(format).toBuffer();
    expect(sniffContentType(data, 'upload.bin')).toBe(contentType);
    expect(imageDimensions(data)).toEqual({ width: 300, height: 200 });
  });

  it('a lossless WebP and a progressive JPEG are measured too', async () => {
    expect(imageDimensions(await image.clone().webp({ lossless: true }).toBuffer())).toEqual({ width: 300, height: 200 });
    expect(imageDimensions(await image.clone().jpeg({ progressive: true }).toBuffer())).toEqual({ width: 300, height: 200 });
  });

  it('anything else falls back to the extension and has no dimensions', () => {
    expect(sniffContentType(Buffer.from('hello'), 'notes.txt')).toBe('text/plain; charset=utf-8');
    expect(sniffContentType(Buffer.from('hello'), 'blob')).toBe('application/octet-stream');
    expect(imageDimensions(Buffer.from([0x89, 0x50]))).toBeUndefined();
  });

  it('snowflakes are 17-19 digits, strictly increasing, and carry the fake clock time', () => {
    const clock = createClock();
    const next = createSnowflakes(clock);
    const ids = Array.from({ length: 1000 }, next);
    expect(ids.every((id) => /^\d{17,19}$/.test(id))).toBe(true);
    expect(ids.every((id, index) => index === 0 || BigInt(id) > BigInt(ids[index - 1]!))).toBe(true);
    clock.advance(60_000);
    expect(snowflakeTime(next()) - Date.now()).toBeGreaterThanOrEqual(59_000);
  });
});
