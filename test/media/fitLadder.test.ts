import { describe, expect, it } from 'vitest';
import { budgetKbps, encodeArgs, planFitLadder, scaledSize, startScale } from '../../src/media/fitLadder.ts';

const wan720 = { durationSeconds: 81 / 16, frames: 81, fps: 16, width: 1280, height: 720 };

describe('planFitLadder', () => {
  it('starts with quality (capped CRF at full size) and walks down bitrate then scale', () => {
    const rungs = planFitLadder({ ...wan720, maxBytes: 10 * 1024 * 1024 });
    expect(rungs[0]).toMatchObject({ kind: 'crf', scale: 1, width: 1280, height: 720 });
    expect(rungs.map((rung) => rung.scale)).toEqual([1, 1, 0.75, 0.5, 0.5]);
    const rates = rungs.map((rung) => (rung.kind === 'crf' ? rung.maxKbps : rung.kbps));
    expect(rates[0]).toBeLessThan(budgetKbps({ ...wan720, maxBytes: 10 * 1024 * 1024 }));
    expect(rates.at(-1)).toBeLessThan(rates[0]!);
  });

  it('GIVEN a 10 MiB limit and 5 s THEN aims at about 15 Mbps', () => {
    expect(planFitLadder({ ...wan720, maxBytes: 10 * 1024 * 1024 })[0]).toMatchObject({ maxKbps: expect.closeTo(14_900, -2) });
  });

  it('GIVEN a budget too thin for full size THEN starts smaller instead of smearing blocks', () => {
    expect(planFitLadder({ ...wan720, maxBytes: 300 * 1024 }).map((rung) => rung.scale)).toEqual([0.75, 0.75, 0.5, 0.5]);
    expect(planFitLadder({ ...wan720, maxBytes: 60 * 1024 })[0]).toMatchObject({ kind: 'crf', scale: 0.5, width: 640, height: 360 });
  });

  it.each([
    [1500, 1],
    [430, 0.75],
    [200, 0.5],
    [30, 0.5],
  ])('GIVEN %i kbps for 720p at 16 fps THEN starts at scale %f', (kbps, scale) => {
    expect(startScale(wan720, kbps)).toBe(scale);
  });

  it('GIVEN a limit smaller than the container itself THEN plans nothing', () => {
    expect(planFitLadder({ ...wan720, maxBytes: 2048 })).toEqual([]);
  });

  it('GIVEN an unknown duration THEN still plans, as if one second long', () => {
    expect(planFitLadder({ ...wan720, durationSeconds: 0, maxBytes: 1024 * 1024 }).length).toBeGreaterThan(0);
  });
});

describe('scaledSize', () => {
  it.each([
    [1280, 720, 0.75, 960, 540],
    [832, 480, 0.5, 416, 240],
    [833, 481, 1, 832, 480],
    [20, 20, 0.5, 16, 16],
  ])('GIVEN %i×%i at %f THEN %i×%i (even, for yuv420p)', (width, height, scale, w, h) => {
    expect(scaledSize(width, height, scale)).toEqual({ width: w, height: h });
  });
});

describe('encodeArgs', () => {
  it('keeps every frame, writes H.264 yuv420p with faststart and drops audio', () => {
    const args = encodeArgs('in.webp', 'out.mp4', { kind: 'bitrate', kbps: 900, scale: 0.5, width: 640, height: 360 }, { preset: 'medium', threads: 0, maxBytes: 5000 });
    const joined = args.join(' ');
    expect(joined).toContain('-fps_mode passthrough');
    expect(joined).toContain('-c:v libx264');
    expect(joined).toContain('-pix_fmt yuv420p');
    expect(joined).toContain('-movflags +faststart');
    expect(joined).toContain('-an');
    expect(joined).toContain('scale=640:360');
    expect(joined).toContain('-b:v 900k');
    expect(joined).toContain('-fs 5000');
    expect(args.at(-1)).toBe('out.mp4');
  });
});
