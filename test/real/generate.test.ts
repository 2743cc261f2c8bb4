import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGenerate } from '../../src/cli/generate.ts';
import { extractFrame, probeVideo } from '../../src/media/index.ts';
import { makeDataDir } from '../worker/helpers.ts';
import { realTargets, showLogOnFailure } from './targets.ts';

const root = join(import.meta.dirname, '../..');

/**
 * A phone photo: stored sideways (landscape pixels) with EXIF orientation 6, so it reads as
 * a portrait whose top half is red and bottom half blue only when the orientation is applied.
 */
async function phoneJpeg(): Promise<Buffer> {
  const upright = await sharp({ create: { width: 240, height: 320, channels: 3, background: '#e01010' } })
    .composite([{ input: { create: { width: 240, height: 160, channels: 3, background: '#1010e0' } }, left: 0, top: 160 }])
    .png()
    .toBuffer();
  // Orientation 6 means "rotate 90° clockwise to display": store it turned the other way.
  return sharp(upright).rotate(270).jpeg().withMetadata({ orientation: 6 }).toBuffer();
}

/** Mean red minus mean blue of a horizontal band of a PNG (positive: reddish). */
async function redness(png: string, band: 'top' | 'bottom'): Promise<number> {
  const image = sharp(png);
  const { width, height } = await image.metadata();
  const h = Math.floor(height / 4);
  const { data, info } = await image.extract({ left: 0, top: band === 'top' ? 0 : height - h, width, height: h }).raw().toBuffer({ resolveWithObject: true });
  let difference = 0;
  for (let i = 0; i < data.length; i += info.channels) difference += data[i]! - data[i + 2]!;
  return difference / (data.length / info.channels);
}

for (const target of realTargets()) {
  describe(`npm run generate against ${target.name}`, () => {
    showLogOnFailure(target);
    let dir: string;
    let remove: () => Promise<void>;
    beforeAll(async () => ({ dir, remove } = await makeDataDir()));
    afterAll(() => remove());

    it('turns an EXIF-rotated phone JPEG into an upright H.264 MP4 of the asked size and 4k+1 frames', async () => {
      const photo = join(dir, 'phone.jpg');
      await writeFile(photo, await phoneJpeg());
      expect((await sharp(photo).metadata()).orientation).toBe(6);
      const out = join(dir, 'out.mp4');
      const stderr = new PassThrough();
      let log = '';
      stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
      const env = { DATA_DIR: join(dir, 'data'), PRESET_DIR: join(root, 'presets'), WORKFLOW_DIR: join(root, 'workflows'), FFMPEG_PATH: '/usr/bin/ffmpeg', COMFYUI_URL: target.url };
      const code = await runGenerate(['--image', photo, '--prompt', 'the flag waves', '--width', '192', '--height', '256', '--frames', '21', '--seed', '7', '--out', out], {
        stdout: new PassThrough(),
        stderr,
        env,
        settings: { pollIntervalMs: 200, progressIntervalMs: 10 },
      });
      expect(code, log).toBe(0);
      const video = await probeVideo(out, { ffprobePath: '/usr/bin/ffprobe' });
      expect(video).toMatchObject({ codec: 'h264', width: 192, height: 256, frames: 21 });
      expect((video.frames - 1) % 4).toBe(0);
      expect(log).toMatch(/high-noise pass/);
      // ComfyUI animates the image we uploaded: its first frame shows whether it was upright.
      const frame = join(dir, 'frame.png');
      await extractFrame(out, frame, { ffmpegPath: '/usr/bin/ffmpeg', atSeconds: 0 });
      expect(await redness(frame, 'top')).toBeGreaterThan(60);
      expect(await redness(frame, 'bottom')).toBeLessThan(-60);
    });
  });
}
