import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startComfySimulator, type ComfySimulator } from '../../src/simulator/index.ts';
import { loadTranscript, replay } from './replay.ts';

/**
 * The replay itself: it must follow the simulator's socket, not the clock. On a loaded machine
 * with Debian's ffmpeg (hundreds of shared libraries to load per start) an encode can take
 * seconds; a replay that gave up waiting after a fixed time asked /history too early, got `{}`,
 * never learned PreviewImage's random temp name and reported a 404 for its /view.
 */
describe('replaying a recording', () => {
  let dir: string;
  let sim: ComfySimulator;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'replay-slow-ffmpeg-'));
    const slowFfmpeg = join(dir, 'ffmpeg');
    // Longer than the old replay's fixed 3 s wait, so that replay fails here every time.
    writeFileSync(slowFfmpeg, `#!/bin/sh\nsleep 3.5\nexec ${JSON.stringify(process.env.FFMPEG_PATH ?? 'ffmpeg')} "$@"\n`);
    chmodSync(slowFfmpeg, 0o755);
    sim = await startComfySimulator({ version: '0.8.0', ffmpegPath: slowFfmpeg });
  });
  afterAll(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits for a run whose ffmpeg is slow to start, however long it takes', async () => {
    const problems = await replay(sim.url, loadTranscript('0.8.0', '04-prompt-animated-featureflags'));
    expect(problems).toEqual([]);
  });

  it('reports a run that never gets as far as the recording, instead of waiting it out', async () => {
    // Each node now takes a minute: the prompt is still running when the recording's client asked for its history.
    sim.knobs.secondsPerNode = 60;
    const problems = await replay(sim.url, loadTranscript('0.8.0', '04-prompt-animated-featureflags'), { frameWaitMs: 100 });
    expect(problems.find((p) => p.startsWith('before GET /history/'))).toMatch(/never got as far as the recording \(.*executing:null\) within 100 ms/);
  });
});
