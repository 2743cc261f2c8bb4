import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runGenerate } from '../../src/cli/generate.ts';
import { probeVideo } from '../../src/media/index.ts';
import { startComfySimulator, type ComfySimulator } from '../../src/simulator/index.ts';
import { writeStartImage } from '../support/jobs.ts';
import { makeDataDir } from '../worker/helpers.ts';

const root = join(import.meta.dirname, '../..');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

async function setup() {
  const sim: ComfySimulator = await startComfySimulator({ knobs: { secondsPerStep: 0.05 } });
  cleanups.push(() => sim.close());
  const data = await makeDataDir();
  cleanups.push(() => data.remove());
  const stdout = capture();
  const stderr = capture();
  const env = {
    DATA_DIR: join(data.dir, 'data'),
    PRESET_DIR: join(root, 'presets'),
    WORKFLOW_DIR: join(root, 'workflows'),
    FFMPEG_PATH: '/usr/bin/ffmpeg',
    COMFYUI_URL: sim.url,
  };
  const run = (argv: string[]) => runGenerate(argv, { stdout: stdout.stream, stderr: stderr.stream, env, settings: { pollIntervalMs: 100, progressIntervalMs: 10 } });
  return { dir: data.dir, run, stdout, stderr };
}

describe('npm run generate', () => {
  it('writes an MP4 of the asked size and exits 0', async () => {
    const { dir, run, stdout, stderr } = await setup();
    const image = join(dir, 'fox.png');
    await writeStartImage(image);
    const out = join(dir, 'out', 'fox.mp4');
    const code = await run(['--image', image, '--prompt', 'a fox turns', '--width', '192', '--height', '128', '--frames', '17', '--seed', '5', '--out', out]);
    expect(code).toBe(0);
    expect(stdout.text().trim()).toBe(out);
    const video = await probeVideo(out, { ffprobePath: '/usr/bin/ffprobe' });
    expect(video).toMatchObject({ width: 192, height: 128, frames: 17, fps: 16 });
    // not a terminal: plain progress lines, ending with a summary
    expect(stderr.text()).toMatch(/high-noise pass/);
    expect(stderr.text()).toMatch(/done: 192×128, 17 frames/);
  });

  it('a file that is not an image exits non-zero with one line', async () => {
    const { dir, run, stderr } = await setup();
    const notImage = join(dir, 'notes.png');
    await writeFile(notImage, 'this is not a picture');
    const code = await run(['--image', notImage]);
    expect(code).not.toBe(0);
    const lines = stderr.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: /);
  });

  it('an unknown preset exits non-zero with one line naming the choices', async () => {
    const { dir, run, stderr } = await setup();
    const image = join(dir, 'fox.png');
    await writeStartImage(image);
    const code = await run(['--image', image, '--preset', 'ultra']);
    expect(code).not.toBe(0);
    expect(stderr.text().trim().split('\n')).toEqual([expect.stringMatching(/^error: unknown preset "ultra"; choose one of: fast, quality, maximum$/)]);
  });

  it('a ComfyUI refusal (unknown LoRA) exits non-zero with one line', async () => {
    const { dir, run, stderr } = await setup();
    const image = join(dir, 'fox.png');
    await writeStartImage(image);
    const code = await run(['--image', image, '--width', '192', '--height', '128', '--frames', '17', '--lora-high', 'missing.safetensors']);
    expect(code).toBe(1);
    const last = stderr.text().trim().split('\n').at(-1);
    expect(last).toMatch(/^error: A LoRA you picked is not installed.*missing\.safetensors/);
  });
});
