import { startComfySimulator } from '../../src/simulator/index.ts';
import { dateToPerf, perfNow, until } from '../lib/clock.ts';
import { startSubstitutingProxy } from '../lib/comfyProxy.ts';
import { openWorld } from '../../test/support/world.ts';
import { eightMegabytes, smallPng, videoOfSize } from '../lib/media.ts';
import { benchDiscordEnv, type Scenario } from '../lib/scenario.ts';
import { round, summarize } from '../lib/stats.ts';
import { promptIdFor } from '../../src/worker/promptId.ts';

/**
 * execution_success → video posted, 8 MB H.264/yuv420p (under 10 MiB: no re-encode).
 * Bot and worker in one process (as `npm start`), the Discord reporter, the production
 * EDIT_INTERVAL_MS. The simulator's output is swapped for a prepared 8 MB file by a proxy
 * in front of it. From the simulator's endedAt to the arrival of the PATCH carrying the
 * MP4 at the fake Discord (its headers: the body's transfer is not in the figure).
 */

const RUNS = 6;

export const delivery: Scenario = {
  name: 'delivery',
  figureIds: ['success_to_posted'],
  async run() {
    const video = await videoOfSize(eightMegabytes);
    const simulator = await startComfySimulator({ knobs: { secondsPerStep: 0.1 } });
    const proxy = await startSubstitutingProxy(simulator.url, video.path);
    // When the worker hands the finished video to the reporter: splits the figure into worker and editor time.
    const handedOver = new Map<string, number>();
    const world = await openWorld({
      purpose: 'bench',
      discord: true,
      bot: { sharedQueue: true },
      env: benchDiscordEnv,
      comfyUrls: [proxy.url],
      worker: {
        reports: 'bot',
        wrap: (inner) => ({ ...inner, delivered: (job, result) => (handedOver.set(job.id, perfNow()), inner.delivered(job, result)) }),
      },
    });
    try {
      const png = await smallPng();
      const samples: number[] = [];
      const uploads: number[] = [];
      const inWorker: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const handle = world.fake.invokeCommand({ name: 'i2v', options: { prompt: `deliver ${i}`, preset: 'fast', frames: 17 }, attachment: { filename: 'cat.png', data: png } });
        const done = await handle.waitForResponse((m) => m.attachments.some((a) => a.filename.endsWith('.mp4')), { timeoutMs: 60_000 });
        const jobId = await until(() => world.queue.redis.hget(world.queue.keys.messages, done.id), `job of message ${done.id}`);
        const entry = simulator.timeline.find((t) => t.promptId === promptIdFor(jobId, 1));
        const request = world.fake.requests.find((r) => r.method === 'PATCH' && r.multipart && r.path.endsWith(`/messages/${done.id}`) && r.status === 200);
        const version = world.fake.messageHistory(done.id).find((v) => v.attachments.some((a) => a.filename.endsWith('.mp4')));
        if (!entry?.endedAt || !request || !version) throw new Error(`could not line up job ${jobId}'s end with its upload`);
        samples.push(dateToPerf(request.atMs) - entry.endedAt);
        uploads.push(version.atMs - request.atMs);
        inWorker.push((handedOver.get(jobId) ?? Number.NaN) - entry.endedAt);
      }
      const s = summarize(samples);
      return [
        {
          id: 'success_to_posted',
          label: 'execution_success → video posted (8 MB)',
          unit: 'ms',
          ...s,
          median: round(s.median),
          budget: '< 300 ms + upload',
          pass: s.median < 300,
          note: `${(video.bytes / 1e6).toFixed(1)} MB, no re-encode; upload itself ${summarize(uploads).median.toFixed(0)} ms (not counted); worker fetch+fit ${summarize(inWorker).median.toFixed(0)} ms, then status editor ${(s.median - summarize(inWorker).median).toFixed(0)} ms`,
        },
      ];
    } finally {
      await world.close();
      await proxy.close();
      await simulator.close();
    }
  },
};
