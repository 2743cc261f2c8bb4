import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractLastFrame, joinClips } from '../../src/media/index.ts';

/** Real ffmpeg: an extension's clip joins its parent with the shared frame kept once. */

let dir: string;
const countFrames = (path: string) =>
  Number(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames,width,height,codec_name,pix_fmt', '-of', 'json', path]).toString().match(/"nb_read_frames": "(\d+)"/)?.[1]);
const clip = (name: string, source: string, frames: number, size: string) => {
  const path = join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `${source}=size=${size}:rate=16`, '-frames:v', String(frames), '-pix_fmt', 'yuv420p', path]);
  return path;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oelala-join-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('joinClips', () => {
  it('gives frames(first) + frames(second) − 1, as H.264 at the first clip’s size', async () => {
    const first = clip('a.mp4', 'testsrc', 25, '320x240');
    const second = clip('b.mp4', 'testsrc2', 17, '320x240');
    const out = await joinClips(first, second, join(dir, 'out.mp4'), { ffmpegPath: 'ffmpeg' });
    expect(countFrames(out)).toBe(25 + 17 - 1);
    const probe = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,pix_fmt', '-of', 'csv=p=0', out]).toString().trim();
    expect(probe).toBe('h264,320,240,yuv420p');
  });

  it('brings a second clip of another size to the first one’s', async () => {
    const first = clip('c.mp4', 'testsrc', 17, '320x240');
    const second = clip('d.mp4', 'testsrc2', 17, '480x360');
    const out = await joinClips(first, second, join(dir, 'out2.mp4'), { ffmpegPath: 'ffmpeg' });
    expect(countFrames(out)).toBe(33);
    expect(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', out]).toString().trim()).toBe('320,240');
  });
});

describe('extractLastFrame', () => {
  it('writes the clip’s final frame, not an earlier one', async () => {
    // A clip that is black and turns white on its very last frame.
    const path = join(dir, 'flash.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=black:size=64x64:rate=16', '-vf', "geq=lum='if(eq(N,20),255,0)':cb=128:cr=128", '-frames:v', '21', '-pix_fmt', 'yuv420p', path]);
    const png = await extractLastFrame(path, join(dir, 'last.png'), { ffmpegPath: 'ffmpeg' });
    const { channels } = await sharp(png).stats();
    expect(channels[0]!.mean).toBeGreaterThan(200);
  });
});
