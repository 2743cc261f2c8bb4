import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/ops/doctor/runDoctor.ts';
import { startComfySimulator, type ComfySimulator } from '../../src/simulator/index.ts';
import { discordEnvFor, registerCommands } from '../support/botOnFake.ts';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.ts';
import { REDIS_URL } from '../queue/helpers.ts';

const run = promisify(execFile);
let sim: ComfySimulator;
let fake: FakeDiscord;
let dataDir: string;

beforeAll(async () => {
  [sim, fake, dataDir] = await Promise.all([startComfySimulator({ knobs: { previews: true }, devices: ['cpu'] }), startFakeDiscord(), mkdtemp(join(tmpdir(), 'ops-doctor-'))]);
});
afterAll(async () => {
  await Promise.all([sim?.close(), fake?.close(), dataDir && rm(dataDir, { recursive: true, force: true })]);
});
beforeEach(async () => {
  // Each case starts from the good setup and breaks one part.
  sim.knobs.previews = true;
  sim.knobs.missingNodeClasses = undefined;
  // The owner's box: their Q6_K pair (the simulator starts with exactly their files).
  sim.setModels('diffusion_models', ['wan2.2_i2v_high_noise_14B_Q6_K.gguf', 'wan2.2_i2v_low_noise_14B_Q6_K.gguf']);
  await registerCommands(fake);
});

function goodEnv(): Record<string, string> {
  return { REDIS_URL, COMFYUI_URL: sim.url, DATA_DIR: dataDir, FFMPEG_PATH: 'ffmpeg', ...discordEnvFor(fake) };
}

async function doctor(env: Record<string, string>): Promise<{ code: number; text: string }> {
  let text = '';
  const code = await runDoctor({ env, dotEnvPath: join(dataDir, 'no.env'), write: (chunk) => (text += chunk) });
  expect(text).not.toContain(fake.token);
  return { code, text };
}

/** The ✘ line that mentions `what`, and the fix under it. */
function failure(text: string, what: string): string {
  const lines = text.split('\n');
  const at = lines.findIndex((line) => line.includes('✘') && line.includes(what));
  expect(at, `no failed check mentioning "${what}" in:\n${text}`).toBeGreaterThanOrEqual(0);
  return lines.slice(at, at + 3).join('\n');
}

describe('npm run doctor', () => {
  it('GIVEN Redis, the simulator and the fake Discord, all set up THEN every check passes, CPU-only is only a warning, and it exits 0', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/ops/doctor/main.ts'], { env: { PATH: process.env.PATH, ...goodEnv() } }).catch((error: { stdout: string; code: number }) => {
      throw new Error(`doctor exited ${error.code}:\n${error.stdout}`);
    });
    expect(stdout).not.toContain('✘');
    expect(stdout).not.toContain(fake.token);
    expect(stdout).toMatch(/✔ Redis \d+\.\d+\.\d+ at redis:\/\/127\.0\.0\.1:\d+ answers/);
    expect(stdout).toContain(`✔ ComfyUI 0.8.0 at ${sim.url} answers`);
    expect(stdout).toContain('--preview-method auto');
    expect(stdout).toContain('preset quality resolves to high-noise model: wan2.2_i2v_high_noise_14B_Q6_K.gguf, low-noise model: wan2.2_i2v_low_noise_14B_Q6_K.gguf');
    expect(stdout).toContain(`⚠ ${sim.url}: no GPU, ComfyUI runs on the CPU`);
    expect(stdout).toMatch(/✔ Discord token is valid/);
    expect(stdout).toMatch(/✔ the commands registered in server \d+ match the local definitions \(5\)/);
    expect(stdout).toMatch(/✔ ffmpeg \S+/);
    expect(stdout).toMatch(/✔ ffprobe \S+/);
    expect(stdout).toContain(`✔ DATA_DIR ${dataDir} is writable`);
    expect(stdout).toContain('✔ nothing failed');
  });

  it('GIVEN no Discord token THEN it checks the rest, says what it skipped, and skipping is not failing', async () => {
    const env = goodEnv();
    delete (env as Partial<typeof env>).DISCORD_TOKEN;
    const { code, text } = await doctor(env);
    expect(text).toContain('– Discord: skipped (DISCORD_TOKEN is not set): the token, the application id and the registered commands were not checked');
    expect(text).toContain('✔ Redis');
    expect(code).toBe(0);
  });

  it('GIVEN Redis down THEN it fails and says how to start it', async () => {
    const { code, text } = await doctor({ ...goodEnv(), REDIS_URL: 'redis://:hunter2secret@127.0.0.1:9' });
    expect(code).toBe(1);
    expect(failure(text, 'Redis at redis://:***@127.0.0.1:9 does not answer')).toContain('fix: start Redis (`sudo systemctl start redis-server`), or set REDIS_URL to where it runs');
    expect(text).not.toContain('hunter2secret');
  });

  it('GIVEN a missing node pack THEN it fails naming the pack and how to install it', async () => {
    sim.knobs.missingNodeClasses = ['VHS_VideoCombine', 'VHS_LoadVideo'];
    const { code, text } = await doctor(goodEnv());
    expect(code).toBe(1);
    expect(failure(text, 'custom node pack ComfyUI-VideoHelperSuite is missing')).toContain('fix: cd ComfyUI/custom_nodes && git clone https://github.com/Kosinkadink/ComfyUI-VideoHelperSuite');
  });

  it('GIVEN a missing model THEN it fails naming the preset, the file and the folder to put it in', async () => {
    // A misspelt high-noise file: every preset shares the model set, so every preset fails, each naming the file.
    sim.setModels('diffusion_models', ['wan2.2_i2v_hihg_noise_14B_Q6_K.gguf', 'wan2.2_i2v_low_noise_14B_Q6_K.gguf']);
    const { code, text } = await doctor(goodEnv());
    expect(code).toBe(1);
    const quality = failure(text, 'preset quality needs high-noise model: `wan2.2_i2v_high_noise_14B_Q6_K.gguf`');
    expect(quality).toContain('did you mean `wan2.2_i2v_hihg_noise_14B_Q6_K.gguf`?');
    expect(quality).toContain("fix: put wan2.2_i2v_high_noise_14B_Q6_K.gguf (or another name presets/models.json accepts for the high-noise model) in ComfyUI's models/diffusion_models or models/unet (.gguf)");
    expect(text).toContain('✔');
    expect(text).not.toMatch(/✔ .*preset fast resolves to/);
  });

  it('GIVEN a wrong token THEN it fails and says where to get a new one, without printing either token', async () => {
    const wrong = 'MTAwMDAwMDAwMDAwMDAwMDAx.wrong.token-that-discord-refuses';
    const { code, text } = await doctor({ ...goodEnv(), DISCORD_TOKEN: wrong });
    expect(code).toBe(1);
    expect(failure(text, 'Discord refuses the token (401 Unauthorized)')).toContain('fix: Developer Portal → your application → Bot → Reset Token');
    expect(text).not.toContain(wrong);
  });

  it('GIVEN an application id that is not the token\'s THEN it fails and gives the right one', async () => {
    const { code, text } = await doctor({ ...goodEnv(), DISCORD_APP_ID: '999999999999999999' });
    expect(code).toBe(1);
    expect(failure(text, 'DISCORD_APP_ID 999999999999999999 is not this token\'s application')).toContain(`fix: set DISCORD_APP_ID=${fake.applicationId}`);
  });

  it('GIVEN commands registered from other presets THEN they are stale and the fix is npm run register', async () => {
    const presets = await mkdtemp(join(tmpdir(), 'ops-presets-'));
    await copyFile('presets/fast.json', join(presets, 'fast.json'));
    await copyFile('presets/models.json', join(presets, 'models.json'));
    await registerCommands(fake, presets);
    await rm(presets, { recursive: true, force: true });
    const { code, text } = await doctor(goodEnv());
    expect(code).toBe(1);
    const stale = failure(text, 'are stale');
    expect(stale).toContain('/i2v preset: choices differs');
    expect(stale).toContain('fix: npm run register');
  });

  it('GIVEN ComfyUI started without --preview-method THEN it fails and gives the flag', async () => {
    sim.knobs.previews = false;
    const { code, text } = await doctor(goodEnv());
    expect(code).toBe(1);
    expect(failure(text, 'started without --preview-method')).toContain('fix: add `--preview-method auto` to ComfyUI\'s command line');
  });
});
