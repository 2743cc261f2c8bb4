import { describe, expect, it } from 'vitest';
import { parseGenerateArgs, parseLora } from '../../src/cli/args.ts';
import { renderProgressLine } from '../../src/cli/generate.ts';

describe('generate arguments', () => {
  it('GIVEN only an image THEN the fast preset and no overrides', () => {
    const parsed = parseGenerateArgs(['--image', 'fox.png']);
    expect(parsed).toMatchObject({ ok: true, value: { image: 'fox.png', preset: 'fast', prompt: '', frames: undefined, seed: undefined } });
  });

  it('GIVEN every option THEN each is parsed to its type', () => {
    const parsed = parseGenerateArgs([
      '--image', 'a.jpg', '--prompt', 'waves', '--negative', 'blur', '--preset', 'quality', '--frames', '33',
      '--width', '480', '--height', '832', '--steps', '8', '--cfg', '3.5', '--seed', '7',
      '--lora-high', 'style.safetensors:0.8', '--lora-low', 'style_low.safetensors', '--comfy', 'http://gpu:8188', '--out', 'x.mp4',
    ]);
    expect(parsed.ok && parsed.value).toMatchObject({
      prompt: 'waves', negative: 'blur', preset: 'quality', frames: 33, width: 480, height: 832, steps: 8, cfg: 3.5, seed: 7,
      loraHigh: { name: 'style.safetensors', strength: 0.8 }, loraLow: { name: 'style_low.safetensors', strength: undefined },
      comfy: 'http://gpu:8188', out: 'x.mp4',
    });
  });

  it('GIVEN no image THEN says it is required', () => {
    const parsed = parseGenerateArgs(['--prompt', 'x']);
    expect(!parsed.ok && parsed.error.message).toBe('--image <file> is required');
  });

  it('GIVEN frames "many" THEN says it must be a whole number', () => {
    const parsed = parseGenerateArgs(['--image', 'a.png', '--frames', 'many']);
    expect(!parsed.ok && parsed.error.message).toMatch(/--frames must be a whole number/);
  });

  it('GIVEN a width without a height THEN asks for both', () => {
    expect(parseGenerateArgs(['--image', 'a.png', '--width', '480']).ok).toBe(false);
  });

  it('GIVEN an unknown flag THEN one line naming it', () => {
    const parsed = parseGenerateArgs(['--image', 'a.png', '--colour', 'red']);
    expect(!parsed.ok && parsed.error.message).toMatch(/colour/);
  });

  it('GIVEN a LoRA with a negative strength THEN it is kept', () => {
    expect(parseLora('lora-high', 'dir/x.safetensors:-0.5')).toEqual({ ok: true, value: { name: 'dir/x.safetensors', strength: -0.5 } });
  });

  it('GIVEN --help THEN no image is needed', () => {
    expect(parseGenerateArgs(['--help'])).toMatchObject({ ok: true, value: { help: true } });
  });
});

describe('progress line', () => {
  it('shows the bar, the stage with its step and the ETA', () => {
    const line = renderProgressLine({ stage: 'high_noise', step: { value: 2, max: 3 }, percent: 35, etaAt: 41_000 }, 0);
    expect(line).toBe('[#######-------------]  35% high-noise pass 2/3 · ETA 0:41');
  });
});
