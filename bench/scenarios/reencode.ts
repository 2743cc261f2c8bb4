import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitVideo } from '../../src/media/index.ts';
import { perfNow } from '../lib/clock.ts';
import { thirtyMegabytes, videoOfSize } from '../lib/media.ts';
import type { Scenario } from '../lib/scenario.ts';
import { round } from '../lib/stats.ts';

/** Informational: fitVideo on a 30 MB, 81-frame 720p H.264 clip down to 10 MiB, as the worker runs it. */
export const reencode: Scenario = {
  name: 're-encode',
  figureIds: ['reencode_30mb'],
  async run() {
    const video = await videoOfSize(thirtyMegabytes);
    const workDir = await mkdtemp(join(tmpdir(), 'oelala-bench-fit-'));
    try {
      const startedAt = perfNow();
      const fit = await fitVideo(video.path, { maxBytes: 10 * 1024 * 1024, ffmpegPath: process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg', workDir });
      const seconds = (perfNow() - startedAt) / 1000;
      return [
        {
          id: 'reencode_30mb',
          label: 're-encode 30 MB 720p/81 frames to ≤ 10 MiB',
          unit: 's',
          median: round(seconds, 2),
          budget: '—',
          pass: undefined,
          note: `${(video.bytes / 1e6).toFixed(1)} MB → ${(fit.bytes / 1e6).toFixed(2)} MB, ${fit.width}×${fit.height}, ${fit.attempts.length} encode${fit.attempts.length === 1 ? '' : 's'}, fits: ${fit.fits}`,
        },
      ];
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  },
};
