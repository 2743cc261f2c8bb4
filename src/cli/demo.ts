import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
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

/**
 * The demo must run on a machine that has only Node: without ffmpeg on the PATH, put the
 * static builds that ship in npm packages (optional dependencies) first on the PATH.
 * The bot itself wants a system ffmpeg ≥ 5.1 (README); this is only the demo's fallback.
 */
async function ensureFfmpeg(): Promise<string | undefined> {
  const found = (bin: string) => spawnSync(bin, ['-version'], { stdio: 'ignore' }).status === 0;
  if (found('ffmpeg') && found('ffprobe')) return undefined;
  const packaged = async (name: string) => ((await import(name)) as { default: { path: string } }).default.path;
  try {
    const dir = await mkdtemp(join(tmpdir(), 'oelala-ffmpeg-'));
    await symlink(await packaged('@ffmpeg-installer/ffmpeg'), join(dir, 'ffmpeg'));
    await symlink(await packaged('@ffprobe-installer/ffprobe'), join(dir, 'ffprobe'));
    process.env.PATH = `${dir}${delimiter}${process.env.PATH ?? ''}`;
    return dir;
  } catch {
    throw new Error('ffmpeg is not installed and no packaged build fits this machine: install ffmpeg (apt-get install ffmpeg, brew install ffmpeg) and run the demo again');
  }
}

async function main(): Promise<number> {
  await mkdir(outDir, { recursive: true });
  const packagedFfmpeg = await ensureFfmpeg();
  // Slow enough to watch the stages go by, fast enough to finish in well under a minute.
  const simulator = await startComfySimulator({ knobs: { secondsPerStep: 1.5, secondsPerFrame: 0.05, secondsPerNode: 0.2 } });
  say('oelala-bot demo — no GPU, no Discord');
  say(`  1. started the bundled ComfyUI simulator at ${simulator.url}`);
  say('     (it speaks ComfyUI\'s real HTTP + WebSocket protocol and renders a real H.264 MP4 with ffmpeg)');
  if (packagedFfmpeg) say(`     (no ffmpeg on this machine: using the static build from npm, linked in ${packagedFfmpeg})`);
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
    if (packagedFfmpeg) await rm(packagedFfmpeg, { recursive: true, force: true });
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
