import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startComfySimulator } from '../simulator/index.ts';
import { runGenerate } from './generate.ts';

/**
 * `npm run demo`: the whole pipeline on any machine in about half a minute, with no
 * GPU and no Discord. It starts the bundled ComfyUI simulator, runs the same code the
 * worker runs (upload, bind the Wan2.2 DisTorch2 workflow, submit, follow the
 * WebSocket, fetch and fit the MP4) on the sample image, and says what it did.
 */

const sampleImage = resolve(import.meta.dirname, '../../assets/sample.jpg');
const outDir = resolve('data/demo');
const out = resolve(outDir, 'oelala-demo.mp4');

const say = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  await mkdir(outDir, { recursive: true });
  // Slow enough to watch the stages go by, fast enough to finish in well under a minute.
  const simulator = await startComfySimulator({ knobs: { secondsPerStep: 1.5, secondsPerFrame: 0.05, secondsPerNode: 0.2 } });
  say('oelala-bot demo — no GPU, no Discord');
  say(`  1. started the bundled ComfyUI simulator at ${simulator.url}`);
  say('     (it speaks ComfyUI\'s real HTTP + WebSocket protocol and renders a real H.264 MP4 with ffmpeg)');
  say(`  2. generating from ${sampleImage} with the "quality" preset:`);
  say('     upload the image → bind workflows/wan22_i2v_distorch2.json → submit → follow the WebSocket → fetch → fit');
  say();
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  try {
    const code = await runGenerate(
      ['--image', sampleImage, '--preset', 'quality', '--seed', '42', '--prompt', 'the sun sets slowly behind the mountains, clouds drift, cinematic', '--comfy', simulator.url, '--out', out],
      {
        stdout: { write: () => true } as unknown as NodeJS.WritableStream,
        stderr: process.stderr,
        env: { ...process.env, DATA_DIR: resolve(outDir, 'work'), LOG_LEVEL: 'silent' },
        signal: controller.signal,
      },
    );
    if (code !== 0) return code;
  } finally {
    await simulator.close();
  }
  say();
  say(`  3. wrote ${out}`);
  say();
  say('What just happened is what a Discord member\'s /i2v does, minus Discord. Next:');
  say('  npm test                                   the whole suite (Redis, the simulator, a fake Discord)');
  say('  npm run generate -- --image photo.jpg --comfy http://your-gpu-box:8188   a real video on your GPUs');
  say('  cp .env.example .env && npm run register && npm start                  the bot (see README.md)');
  return 0;
}

process.exitCode = await main();
