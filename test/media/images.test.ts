import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { checkImageShape, IMAGE_LIMITS, inspectImage, normalizeImage, prepareImage, saveJobImage } from '../../src/media/index.ts';
import { animation, headerOnlyPng, noiseJpeg, pixelAt, solid } from './images.ts';

const maxPixels = 50_000_000;

async function refusalCode(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UserError);
  return (error as UserError).code;
}

describe('inspectImage', () => {
  it('reads a PNG, a JPEG, a WebP and an AVIF', async () => {
    for (const format of ['png', 'jpeg', 'webp', 'avif'] as const) {
      const buffer = await solid(320, 200, '#336699').toFormat(format).toBuffer();
      expect(await inspectImage(buffer, { maxPixels })).toEqual({ format, width: 320, height: 200, pages: 1, animated: false });
    }
  });

  it('refuses a text file named .png as not an image', async () => {
    const text = Buffer.from('these are my holiday notes, not a picture\n'.repeat(20));
    expect(await refusalCode(inspectImage(text, { maxPixels }))).toBe('image_unsupported');
  });

  it('refuses an SVG: a document, not a photo', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512"><rect width="512" height="512"/></svg>');
    expect(await refusalCode(inspectImage(svg, { maxPixels }))).toBe('image_unsupported');
  });

  it('refuses a truncated JPEG whose header is still fine', async () => {
    const jpeg = await noiseJpeg(512, 512);
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
    expect((await sharp(truncated).metadata()).width).toBe(512);
    expect(await refusalCode(inspectImage(truncated, { maxPixels }))).toBe('image_corrupt');
  });

  it('refuses a file that starts like a GIF but is not one as damaged', async () => {
    expect(await refusalCode(inspectImage(Buffer.from('GIF89a and then nothing useful'), { maxPixels }))).toBe('image_corrupt');
  });

  it('refuses a 1×1 image and says how big to make it', async () => {
    const dot = await solid(1, 1, 'red').png().toBuffer();
    const error = await inspectImage(dot, { maxPixels }).catch((caught: UserError) => caught);
    expect(error).toMatchObject({ code: 'image_dimensions', message: expect.stringMatching(/at least 64 pixels/) });
  });

  it('refuses a 20000×20000 header-only PNG without decoding it', async () => {
    const bomb = headerOnlyPng(20_000, 20_000);
    expect(bomb.length).toBeLessThan(500);
    expect(await refusalCode(inspectImage(bomb, { maxPixels }))).toBe('image_dimensions');
    expect(await refusalCode(normalizeImage(bomb, { maxPixels }))).toBe('image_dimensions');
  });

  it('refuses an image over the pixel budget even when each edge is allowed', async () => {
    expect(await refusalCode(inspectImage(headerOnlyPng(4000, 4000), { maxPixels: 1_000_000 }))).toBe('image_dimensions');
  });

  it('refuses a 10:1 strip', async () => {
    const strip = await solid(1000, 100, 'blue').png().toBuffer();
    expect(await refusalCode(inspectImage(strip, { maxPixels }))).toBe('image_dimensions');
  });

  it('refuses an animation whose frames add up to a bomb', async () => {
    const many = await animation('gif', Array.from({ length: 12 }, (_, i) => (i % 2 ? 'red' : 'blue')), 100);
    expect(await refusalCode(inspectImage(many, { maxPixels: 10_000 }))).toBe('image_dimensions');
  });

  it('reports width and height as the member sees them, after EXIF orientation', async () => {
    const sideways = await solid(200, 100, 'green').jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(await inspectImage(sideways, { maxPixels })).toMatchObject({ width: 100, height: 200 });
  });

  it.each(['gif', 'webp'] as const)('counts the frames of an animated %s', async (format) => {
    const animated = await animation(format, ['red', 'lime', 'blue']);
    expect(await inspectImage(animated, { maxPixels })).toMatchObject({ format, width: 128, height: 128, pages: 3, animated: true });
  });
});

describe('checkImageShape', () => {
  const limits = { ...IMAGE_LIMITS, maxPixels };
  it.each([
    [{ width: 832, height: 480, pages: 1 }, true],
    [{ width: 64, height: 64, pages: 1 }, true],
    [{ width: 63, height: 400, pages: 1 }, false],
    [{ width: 16_385, height: 2000, pages: 1 }, false],
    [{ width: 4000, height: 1000, pages: 1 }, true],
    [{ width: 4001, height: 1000, pages: 1 }, false],
    [{ width: 512, height: 512, pages: 1001 }, false],
  ])('GIVEN %o THEN accepted is %s', (shape, accepted) => {
    expect(checkImageShape(shape, limits).ok).toBe(accepted);
  });
});

describe('normalizeImage', () => {
  it('takes the first frame of an animated GIF and WebP', async () => {
    for (const format of ['gif', 'webp'] as const) {
      const { png } = await normalizeImage(await animation(format, ['red', 'lime', 'blue']), { maxPixels });
      const meta = await sharp(png).metadata();
      expect(meta).toMatchObject({ format: 'png', width: 128, height: 128 });
      expect(meta.pages ?? 1).toBe(1);
      const [r, g, b] = await pixelAt(png, 64, 64);
      expect(r).toBeGreaterThan(200);
      expect(g + b).toBeLessThan(60);
    }
  });

  it('applies EXIF orientation and strips all metadata', async () => {
    const sideways = await solid(200, 100, 'green')
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExif({ IFD0: { Copyright: 'a member', Artist: 'someone' } })
      .toBuffer();
    const normalized = await normalizeImage(sideways, { maxPixels });
    expect(normalized).toMatchObject({ width: 100, height: 200 });
    const meta = await sharp(normalized.png).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 100, height: 200 });
    expect(meta.exif).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
  });

  it('downscales to the long edge but never upscales', async () => {
    const big = await solid(3000, 1500, 'white').jpeg().toBuffer();
    expect(await normalizeImage(big, { maxPixels })).toMatchObject({ width: 2048, height: 1024 });
    expect(await normalizeImage(big, { maxPixels, maxEdge: 1000 })).toMatchObject({ width: 1000, height: 500 });
    const small = await solid(300, 200, 'white').jpeg().toBuffer();
    expect(await normalizeImage(small, { maxPixels })).toMatchObject({ width: 300, height: 200 });
  });

  it('refuses what inspectImage refuses', async () => {
    expect(await refusalCode(normalizeImage(Buffer.from('not an image at all'), { maxPixels }))).toBe('image_unsupported');
  });
});

describe('prepareImage', () => {
  it.each([
    [832, 480],
    [480, 832],
    [640, 640],
  ])('gives exactly %i×%i from a 3:2 photo', async (width, height) => {
    const photo = await solid(300, 200, 'orange').jpeg().withExif({ IFD0: { Artist: 'someone' } }).toBuffer();
    const png = await prepareImage(photo, { width, height });
    const meta = await sharp(png).metadata();
    expect(meta).toMatchObject({ format: 'png', width, height });
    expect(meta.exif).toBeUndefined();
  });

  it('crops around the centre, not a corner', async () => {
    // A 400×100 strip, blue at the sides and lime in the middle 100 px.
    const middle = await solid(100, 100, 'lime').png().toBuffer();
    const strip = await solid(400, 100, 'blue').composite([{ input: middle, left: 150, top: 0 }]).png().toBuffer();
    const square = await prepareImage(strip, { width: 64, height: 64 });
    const [r, g, b] = await pixelAt(square, 32, 32);
    expect(g).toBeGreaterThan(200);
    expect(r + b).toBeLessThan(60);
  });
});

describe('saveJobImage', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oelala-media-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stores the PNG under inputs/<jobId>.png and leaves no temporary file', async () => {
    const png = await solid(64, 64, 'red').png().toBuffer();
    const path = await saveJobImage(dataDir, 'job-42', png);
    expect(path).toBe(join(dataDir, 'inputs', 'job-42.png'));
    expect((await readFile(path)).equals(png)).toBe(true);
    await saveJobImage(dataDir, 'job-42', png); // a retry overwrites in place
    expect(await readdir(join(dataDir, 'inputs'))).toEqual(['job-42.png']);
  });

  it('refuses a job id that would climb out of the data folder', async () => {
    await expect(saveJobImage(dataDir, '../escape', Buffer.alloc(1))).rejects.toThrow(/unsafe job id/);
  });
});
