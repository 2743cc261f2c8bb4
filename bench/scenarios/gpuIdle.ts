import { startComfySimulator } from '../../src/simulator/index.ts';
import { runBurst } from '../lib/burst.ts';
import { queueDirectly } from '../lib/floor.ts';
import type { Scenario } from '../lib/scenario.ts';
import { round, summarize } from '../lib/stats.ts';
import type { Figure } from '../lib/table.ts';
import { EIGHT_MB, throttledDelivery, UPLOAD_BYTES_PER_SECOND } from '../lib/throttle.ts';
import { busyFraction, finishedRuns, idleGaps } from '../lib/timeline.ts';

/**
 * The GPU's idle time on one ComfyUI while the queue is not empty. Every job is the same
 * ~0.5 s simulated run (4 steps × 0.1 s plus the simulator's real encode); every delivery
 * takes what an 8 MB upload at 20 MB/s takes (0.4 s) on top of the real fetch and probe.
 *
 * - floor: prompts queued straight into the simulator, no worker: its own gap.
 * - pre-queued (PROMPTS_PER_INSTANCE=2, the default): the worker's gap; budget floor + 10 ms.
 * - one at a time (PROMPTS_PER_INSTANCE=1): the gap pre-queueing removes; ratio ≥ 20×.
 * - a slow delivery (2 s, e.g. a 8 MB upload at 4 MB/s) with pre-queueing: "whatever the delivery takes".
 */

const JOB_KNOBS = { secondsPerStep: 0.1 } as const;
const BURST = 20;
const SLOW_BURST = 8;
const gapRow = (id: string, label: string, gaps: number[], budget: string, pass: boolean | undefined, note?: string): Figure => {
  const s = summarize(gaps);
  return { id, label, unit: 'ms', median: round(s.median), min: round(s.min), max: round(s.max), n: s.n, budget, pass, note };
};

export const gpuIdle: Scenario = {
  name: 'GPU idle gap',
  figureIds: ['gpu_gap_floor', 'gpu_gap_prequeued', 'gpu_gap_one_at_a_time', 'gpu_gap_ratio', 'gpu_busy_fraction', 'gpu_gap_slow_delivery'],
  async run() {
    const simulator = await startComfySimulator({ knobs: JOB_KNOBS, reuseRenders: true });
    try {
      const floorIds = await queueDirectly(simulator.url, 12);
      const floorRuns = finishedRuns(simulator.timeline, floorIds);
      const floor = summarize(idleGaps(floorRuns));
      const jobMs = summarize(floorRuns.map((r) => r.endedAt - r.startedAt)).median;

      const delivery = (bytesPerSecond: number) => (reporter: Parameters<typeof throttledDelivery>[0]) =>
        throttledDelivery(reporter, { bytesPerSecond, uploadBytes: EIGHT_MB });
      const prequeued = await runBurst({ comfyUrls: [simulator.url], jobs: BURST, wrap: delivery(UPLOAD_BYTES_PER_SECOND), seedBase: 100 });
      const prequeuedRuns = finishedRuns(simulator.timeline, prequeued.promptIds);
      const prequeuedGaps = idleGaps(prequeuedRuns);
      const single = await runBurst({ comfyUrls: [simulator.url], jobs: 10, env: { PROMPTS_PER_INSTANCE: '1' }, wrap: delivery(UPLOAD_BYTES_PER_SECOND), seedBase: 200 });
      const singleGaps = idleGaps(finishedRuns(simulator.timeline, single.promptIds));
      const slow = await runBurst({ comfyUrls: [simulator.url], jobs: SLOW_BURST, wrap: delivery(4 * 1000 * 1000), seedBase: 300 });
      const slowGaps = idleGaps(finishedRuns(simulator.timeline, slow.promptIds));

      const prequeuedMedian = summarize(prequeuedGaps).median;
      // The simulator's timer resolution makes a pre-queued gap read 0–0.1 ms; dividing by that says nothing, so the denominator is at least 1 ms.
      const ratio = summarize(singleGaps).median / Math.max(prequeuedMedian, 1);
      const busy = busyFraction(prequeuedRuns);
      const allowed = floor.median + 10;
      return [
        gapRow('gpu_gap_floor', 'GPU gap: simulator floor (no worker)', idleGaps(floorRuns), 'reference', undefined, `job ≈ ${jobMs.toFixed(0)} ms`),
        gapRow('gpu_gap_prequeued', 'GPU gap: worker, pre-queued, 0.4 s delivery', prequeuedGaps, `≤ floor + 10 ms (${allowed.toFixed(1)})`, prequeuedMedian <= allowed, 'PROMPTS_PER_INSTANCE=2'),
        gapRow('gpu_gap_one_at_a_time', 'GPU gap: worker, one at a time', singleGaps, 'reference', undefined, 'PROMPTS_PER_INSTANCE=1'),
        { id: 'gpu_gap_ratio', label: 'GPU gap: one at a time ÷ pre-queued', unit: '×', median: round(ratio), budget: '≥ 20×', pass: ratio >= 20, note: 'pre-queued gap counted as ≥ 1 ms' },
        { id: 'gpu_busy_fraction', label: `GPU busy fraction, ${BURST}-job burst`, unit: '%', median: round(busy * 100, 2), budget: '≥ 99 %', pass: busy >= 0.99, note: 'pre-queued, 0.4 s delivery' },
        gapRow('gpu_gap_slow_delivery', 'GPU gap: pre-queued, 2 s delivery', slowGaps, `≤ floor + 10 ms (${allowed.toFixed(1)})`, summarize(slowGaps).median <= allowed, 'delivery longer than a job'),
      ];
    } finally {
      await simulator.close();
    }
  },
};
