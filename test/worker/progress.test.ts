import { describe, expect, it } from 'vitest';
import { ComfyExecutionError, ComfyTransientError, ComfyValidationError } from '../../src/comfy/errors.ts';
import { UserError } from '../../src/errors.ts';
import type { JobProgress } from '../../src/queue/schemas.ts';
import { createProgressCoalescer } from '../../src/worker/coalesce.ts';
import { classifyError, failureFor } from '../../src/worker/failures.ts';
import { etaAt, percentAt, progressAt, stageShares } from '../../src/worker/progress.ts';

const plan = { kind: 'i2v' as const, highSteps: 3, lowSteps: 3, expectedMs: 100_000 };

describe('progress model', () => {
  it('stage shares sum to one and sampling dominates', () => {
    const shares = stageShares(plan);
    expect(shares.reduce((sum, [, share]) => sum + share, 0)).toBeCloseTo(1);
    const sampling = shares.filter(([stage]) => stage === 'high_noise' || stage === 'low_noise').reduce((sum, [, share]) => sum + share, 0);
    expect(sampling).toBeGreaterThan(0.7);
  });

  it('percent only moves forward through the stages of a run', () => {
    const path = [
      percentAt(plan, 'queued_on_gpu'),
      percentAt(plan, 'loading_models'),
      percentAt(plan, 'high_noise', 1 / 3),
      percentAt(plan, 'high_noise', 1),
      percentAt(plan, 'low_noise', 2 / 3),
      percentAt(plan, 'decoding'),
      percentAt(plan, 'encoding', 0.5),
      percentAt(plan, 'delivering'),
    ];
    expect(path[0]).toBe(0);
    for (let i = 1; i < path.length; i += 1) expect(path[i]).toBeGreaterThan(path[i - 1] ?? 0);
    expect(path.at(-1)).toBeLessThan(100);
  });

  it('GIVEN no progress THEN the ETA is the learned duration; GIVEN half done at a slow pace THEN the pace wins', () => {
    expect(etaAt(plan, 0, undefined, 1000)).toBe(101_000);
    // half done after 200 s, though 100 s were expected: about 200 s more
    expect(etaAt(plan, 50, 0, 200_000)).toBe(400_000);
  });

  it('a report carries the step of the pass', () => {
    const progress = progressAt(plan, { stage: 'low_noise', step: { value: 2, max: 3 }, startedAt: 0, instance: 'gpu1' }, 10_000);
    expect(progress).toMatchObject({ stage: 'low_noise', step: { value: 2, max: 3 }, instance: 'gpu1', startedAt: 0 });
  });
});

describe('progress coalescing', () => {
  it('sends the first report at once, then only the latest of a burst, and nothing after close', async () => {
    const sent: number[] = [];
    const coalescer = createProgressCoalescer(async (progress: JobProgress) => {
      sent.push(progress.percent);
    }, { intervalMs: 60_000 });
    for (let percent = 1; percent <= 10; percent += 1) coalescer.push({ stage: 'high_noise', percent });
    await coalescer.flush();
    expect(sent).toEqual([1, 10]);
    coalescer.push({ stage: 'low_noise', percent: 50 });
    await coalescer.close();
    coalescer.push({ stage: 'low_noise', percent: 60 });
    expect(sent).toEqual([1, 10]);
  });

  it('close waits for a report in flight, so a terminal report is never overtaken', async () => {
    const order: string[] = [];
    let finishSend!: () => void;
    let sending!: () => void;
    const sendStarted = new Promise<void>((resolve) => (sending = resolve));
    const coalescer = createProgressCoalescer(
      () =>
        new Promise<void>((resolve) => {
          finishSend = () => (order.push('progress'), resolve());
          sending();
        }),
    );
    coalescer.push({ stage: 'high_noise', percent: 5 });
    await sendStarted;
    const closed = coalescer.close().then(() => order.push('closed'));
    finishSend();
    await closed;
    expect(order).toEqual(['progress', 'closed']);
  });
});

describe('failure wording', () => {
  it('an unknown LoRA is permanent and says what to do', () => {
    const error = new ComfyValidationError({ method: 'POST', url: 'http://x/prompt', body: '{}' }, 'prompt_outputs_failed_validation', [
      { nodeId: '5', classType: 'LoraLoaderModelOnly', title: 'LoRA high', inputName: 'lora_name', type: 'value_not_in_list', message: "LoRA high: lora_name 'x.safetensors' is not installed (loras folder)" },
    ]);
    const classified = classifyError(error);
    expect(classified.permanent).toBe(true);
    expect(classified.failure.code).toBe('unknown_lora');
    expect(classified.failure.detail).toContain('x.safetensors');
  });

  it('out of memory is permanent, a lost prompt and an unreachable server are retried', () => {
    const oom = new ComfyExecutionError({ nodeId: '15', nodeType: 'KSamplerAdvanced', title: 'High-noise pass', exceptionType: 'torch.OutOfMemoryError', exceptionMessage: 'CUDA out of memory', kind: 'out_of_memory', memberMessage: 'the GPU ran out of memory at this size; try a smaller preset or fewer frames', adminMessage: 'oom' });
    expect(classifyError(oom)).toMatchObject({ permanent: true, failure: { code: 'out_of_memory' } });
    expect(classifyError(new ComfyTransientError('prompt_lost', 'gone')).permanent).toBe(false);
    expect(classifyError(new ComfyTransientError('refused', 'no')).permanent).toBe(false);
    expect(classifyError(new UserError('bad_image', 'That file is not an image.'))).toMatchObject({ permanent: true, failure: { message: 'That file is not an image.' } });
  });

  it('a retried failure tells the member it will try again', () => {
    const failure = failureFor(classifyError(new ComfyTransientError('refused', 'no')), true);
    expect(failure.retrying).toBe(true);
    expect(failure.message).toMatch(/trying again/i);
  });
});
