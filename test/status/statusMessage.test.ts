import { describe, expect, it } from 'vitest';
import type { JobData, JobResult } from '../../src/queue/schemas.ts';
import { renderCancelled, renderDelivered, renderFailed, renderRunning, renderWaiting } from '../../src/status/statusMessage.ts';
import { formatDuration, progressBar, quotePrompt } from '../../src/status/format.ts';

const data: JobData = {
  v: 1,
  kind: 'i2v',
  options: { prompt: 'a cat surfing a wave', preset: 'fast', aspect: '16:9', frames: 81, seed: 1234 },
  input: { path: '/data/in/j1.png', width: 832, height: 480 },
  sizeLimit: 10 * 1024 * 1024,
  requester: { userId: '100000000000000001', name: 'alice' },
  createdAt: 0,
};

const result: JobResult = {
  videoPath: '/data/out/j1.mp4',
  bytes: 3_000_000,
  width: 832,
  height: 480,
  frames: 81,
  fps: 16,
  durationSeconds: 5.06,
  seed: 1234,
  gpuSeconds: 185,
  reencoded: false,
  instance: 'http://127.0.0.1:8188',
  promptId: 'j1-a1',
};

describe('the status message', () => {
  it('shows a waiting job its place in line and when it should start', () => {
    const view = renderWaiting({ jobId: 'j1', data, position: 3, total: 7, etaAt: 1_700_000_000_000 });
    expect(view.content).toContain('position 3 of 7');
    expect(view.content).toContain('<t:1700000000:R>');
    expect(view.content).toContain('a cat surfing a wave');
    expect(view.final).toBe(false);
  });

  it('shows a running job its stage, a bar with step counts, elapsed time and the preview', () => {
    const view = renderRunning({
      jobId: 'j1',
      data,
      now: 200_000,
      progress: { stage: 'high_noise', step: { value: 3, max: 10 }, percent: 40, startedAt: 125_000, previewPath: '/data/p/j1.jpg' },
    });
    expect(view.content).toContain('High-noise pass');
    expect(view.content).toContain('step 3 of 10');
    expect(view.content).toContain(progressBar(0.4));
    expect(view.content).toContain('1m 15s elapsed');
    expect(view.file).toEqual({ path: '/data/p/j1.jpg', name: 'preview.jpg' });
    expect(view.imageFromFile).toBe(true);
  });

  it('ends with the video, a compact summary and the three reactions', () => {
    const view = renderDelivered({ jobId: 'j1', data, result });
    expect(view.final).toBe(true);
    expect(view.file).toEqual({ path: '/data/out/j1.mp4', name: 'j1.mp4' });
    expect(view.content).toMatch(/`fast`.*832×480.*81 frames.*seed 1234.*3m 05s GPU/);
    expect(view.reactions).toEqual(['🔁', '⬆️', '❌']);
  });

  it('explains a video too large to post and shows a frame instead', () => {
    const view = renderDelivered({ jobId: 'j1', data, result: { ...result, bytes: 14_000_000, fallbackFramePath: '/data/out/j1.png' } });
    expect(view.file?.path).toBe('/data/out/j1.png');
    expect(view.content).toContain('13.4 MB');
    expect(view.content).toContain('10 MB');
  });

  it('says in words why a job failed, with a reference to give an admin', () => {
    const view = renderFailed({ jobId: 'j1', data, failure: { code: 'oom', message: 'The GPU ran out of memory.', retrying: false } });
    expect(view.content).toContain('The GPU ran out of memory.');
    expect(view.content).toContain('`j1`');
    expect(view.final).toBe(true);
  });

  it('does not call a failure final while the worker retries', () => {
    const view = renderFailed({ jobId: 'j1', data, failure: { code: 'x', message: 'ComfyUI restarted.', retrying: true } });
    expect(view.final).toBe(false);
  });

  it('says a cancelled job is over', () => {
    expect(renderCancelled({ jobId: 'j1', data }).content).toContain('Cancelled');
  });
});

describe('text helpers', () => {
  it('formats durations as a member reads them', () => {
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(185_000)).toBe('3m 05s');
    expect(formatDuration(3_720_000)).toBe('1h 02m');
  });

  it('defuses markdown and mentions in a prompt and keeps it on one line', () => {
    expect(quotePrompt('**bold**\n@everyone')).toBe('\\*\\*bold\\*\\* @\u200beveryone');
  });
});
