import { startComfySimulator, type ComfySimulator } from '../../src/simulator/index.ts';
import { runBurst } from '../lib/burst.ts';
import type { Scenario } from '../lib/scenario.ts';
import { round, summarize } from '../lib/stats.ts';
import type { Figure } from '../lib/table.ts';
import { busyFraction, finishedRuns } from '../lib/timeline.ts';

/**
 * Jobs per second with K = 1, 2, 4, 8 simulator instances behind one worker, each job a
 * fixed 4 × 0.25 s of sampling (renders reused, so the simulators cost no CPU); a burst of 10 × K jobs,
 * timed from the first enqueue to the last delivery. Budget: ≥ 0.9 × K × one instance.
 * The note gives what each simulated GPU did (median run time, busy fraction), which
 * separates "the worker left GPUs idle" from "the 2-core machine slowed the simulators".
 */

const KS = [1, 2, 4, 8] as const;
const PER_INSTANCE = 10;

export const throughput: Scenario = {
  name: 'throughput',
  figureIds: KS.map((k) => `throughput_k${k}`),
  async run() {
    const figures: Figure[] = [];
    let single = Number.NaN;
    for (const k of KS) {
      const simulators: ComfySimulator[] = [];
      try {
        for (let i = 0; i < k; i++) simulators.push(await startComfySimulator({ knobs: { secondsPerStep: 0.25 }, reuseRenders: true }));
        const burst = await runBurst({ comfyUrls: simulators.map((s) => s.url), jobs: PER_INSTANCE * k, seedBase: 1000 * k });
        const perSecond = burst.jobIds.length / ((burst.doneAt - burst.enqueuedAt) / 1000);
        if (k === 1) single = perSecond;
        const perInstance = simulators.map((s) => finishedRuns(s.timeline, burst.promptIds));
        const runMs = summarize(perInstance.flat().map((r) => r.endedAt - r.startedAt)).median;
        const busy = summarize(perInstance.map((runs) => busyFraction(runs))).median;
        const scaling = perSecond / (k * single);
        figures.push({
          id: `throughput_k${k}`,
          label: `throughput, ${k} instance${k > 1 ? 's' : ''}`,
          unit: 'jobs/s',
          median: round(perSecond, 2),
          budget: k === 1 ? 'reference' : '≥ 0.9 × K × one',
          pass: k === 1 ? undefined : scaling >= 0.9,
          note: `${k === 1 ? '' : `${round(scaling, 2)} × K × one; `}sim run ${runMs.toFixed(0)} ms, busy ${(busy * 100).toFixed(0)} %, ${round((perSecond * runMs) / (1000 * k), 2)} of K ÷ run time`,
        });
      } finally {
        await Promise.all(simulators.map((s) => s.close()));
      }
    }
    return figures;
  },
};
