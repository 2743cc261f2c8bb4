import { parseArgs } from 'node:util';
import { fail, ok, type Result } from '../errors.ts';

/** What `npm run generate -- …` was asked for. Pure: parsed and checked without touching disk. */
export type GenerateArgs = {
  image: string;
  prompt: string;
  negative: string | undefined;
  preset: string;
  frames: number | undefined;
  /** Side of a square pixel budget (480 → at most 480×480 px). */
  resolution: number | undefined;
  fps: number | undefined;
  width: number | undefined;
  height: number | undefined;
  steps: number | undefined;
  cfg: number | undefined;
  seed: number | undefined;
  /** Strength undefined: the preset's default LoRA strength. */
  loraHigh: { name: string; strength: number | undefined } | undefined;
  loraLow: { name: string; strength: number | undefined } | undefined;
  comfy: string | undefined;
  out: string | undefined;
  /** Only check the ComfyUI: which files each preset would load, VRAM, previews. */
  check: boolean;
  help: boolean;
};

export const USAGE = `usage: npm run generate -- --image <file> [options]
       npm run generate -- --check [--comfy <url>]

  --image <file>            start image (jpeg, png, webp, gif, avif, tiff)
  --prompt <text>           what should happen in the video
  --negative <text>         what to avoid (default: the preset's)
  --preset <name>           fast | quality | maximum (default: fast)
  --frames <n>              frame count, 4k+1 (e.g. 33, 49, 81)
  --resolution <px>         pixel budget as the side of a square (480 → at most 480×480; 256–720)
  --fps <n>                 playback frame rate (default: the preset's, 16)
  --width <px> --height <px>  exact size, multiples of 16 (give both)
  --steps <n>               sampling steps
  --cfg <x>                 guidance scale
  --seed <n>                seed (default: random)
  --lora-high <name[:strength]>  LoRA for the high-noise pass
  --lora-low <name[:strength]>   LoRA for the low-noise pass
  --comfy <url>             ComfyUI to use (default: first of COMFYUI_URL)
  --out <file.mp4>          where to write the video (default: ./<job id>.mp4)
  --check                   check the ComfyUI only: the files each preset loads, VRAM, previews
  --help                    this text
`;

const options = {
  image: { type: 'string' },
  prompt: { type: 'string' },
  negative: { type: 'string' },
  preset: { type: 'string' },
  frames: { type: 'string' },
  resolution: { type: 'string' },
  fps: { type: 'string' },
  width: { type: 'string' },
  height: { type: 'string' },
  steps: { type: 'string' },
  cfg: { type: 'string' },
  seed: { type: 'string' },
  'lora-high': { type: 'string' },
  'lora-low': { type: 'string' },
  comfy: { type: 'string' },
  out: { type: 'string' },
  check: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function integer(name: string, text: string | undefined, min = 0): Result<number | undefined> {
  if (text === undefined) return ok(undefined);
  if (!/^\d+$/.test(text.trim())) return fail('bad_number', `--${name} must be a whole number, got "${text}"`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) return fail('bad_number', `--${name} must be a whole number of at least ${min}, got "${text}"`);
  return ok(value);
}

function decimal(name: string, text: string | undefined): Result<number | undefined> {
  if (text === undefined) return ok(undefined);
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) return fail('bad_number', `--${name} must be a number, got "${text}"`);
  return ok(value);
}

/** Pure: "name.safetensors:0.8" → name and strength; the strength is optional. */
export function parseLora(flag: string, text: string | undefined): Result<GenerateArgs['loraHigh']> {
  if (text === undefined) return ok(undefined);
  const match = /^(.+?)(?::(-?\d+(?:\.\d+)?))?$/.exec(text.trim());
  const name = match?.[1]?.trim();
  if (!match || !name) return fail('bad_lora', `--${flag} must be name[:strength], got "${text}"`);
  return ok({ name, strength: match[2] === undefined ? undefined : Number(match[2]) });
}

/** Pure: argv (without node and script) → arguments, or one message saying what is wrong. */
export function parseGenerateArgs(argv: readonly string[]): Result<GenerateArgs> {
  let values: ReturnType<typeof parseArgs<{ options: typeof options; strict: true; allowPositionals: false }>>['values'];
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return fail('bad_arguments', (error as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const help = values.help === true;
  const check = values.check === true;
  if (!help && !check && !values.image) return fail('missing_image', '--image <file> is required');
  if ((values.width === undefined) !== (values.height === undefined)) return fail('half_size', '--width and --height go together: give both or neither');
  const numbers = {
    frames: integer('frames', values.frames, 1),
    resolution: integer('resolution', values.resolution, 1),
    fps: integer('fps', values.fps, 1),
    width: integer('width', values.width, 16),
    height: integer('height', values.height, 16),
    steps: integer('steps', values.steps, 1),
    seed: integer('seed', values.seed, 0),
    cfg: decimal('cfg', values.cfg),
  };
  for (const parsed of Object.values(numbers)) if (!parsed.ok) return parsed;
  const loraHigh = parseLora('lora-high', values['lora-high']);
  if (!loraHigh.ok) return loraHigh;
  const loraLow = parseLora('lora-low', values['lora-low']);
  if (!loraLow.ok) return loraLow;
  const value = <T>(result: Result<T>): T | undefined => (result.ok ? result.value : undefined);
  return ok({
    image: values.image ?? '',
    prompt: values.prompt ?? '',
    negative: values.negative,
    preset: values.preset ?? 'fast',
    frames: value(numbers.frames),
    resolution: value(numbers.resolution),
    fps: value(numbers.fps),
    width: value(numbers.width),
    height: value(numbers.height),
    steps: value(numbers.steps),
    cfg: value(numbers.cfg),
    seed: value(numbers.seed),
    loraHigh: loraHigh.value,
    loraLow: loraLow.value,
    comfy: values.comfy,
    out: values.out,
    check,
    help,
  });
}
