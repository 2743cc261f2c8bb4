import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelsFromPaths, startComfySimulator, type ComfySimulator, type SimulatorKnobs } from '../../src/simulator/index.ts';
import { loadTranscript, replay } from './replay.ts';

/**
 * Each recorded scenario, replayed against the simulator in the order the recording rig ran
 * them on one server (01-11), then after a restart (12-14, whose numbering starts again).
 */
const png = (color: string, alpha = false): Promise<Buffer> =>
  sharp({ create: { width: 64, height: 48, channels: alpha ? 4 : 3, background: color } }).png().toBuffer();

function form(fields: Record<string, string>, file?: { name: string; data: Buffer }): () => FormData {
  return () => {
    const fd = new FormData();
    if (file) fd.append('image', new Blob([new Uint8Array(file.data)]), file.name);
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    return fd;
  };
}

// The recording ran on a CPU box whose DisTorch2 lists still named two GPUs.
const ignore = [/system_stats.*devices\[0\]\.index$/];

/**
 * models/ on the recording rig. The scenarios' graphs name these files, so a simulator with
 * other files (its default is the owner's box) fails their validation with value_not_in_list.
 */
const RECORDING_RIG_MODELS = [
  'diffusion_models/Wan2.2-I2V-A14B-HighNoise-Q4_K_M.gguf',
  'diffusion_models/Wan2.2-I2V-A14B-LowNoise-Q4_K_M.gguf',
  'text_encoders/umt5_xxl_fp8_e4m3fn_scaled.safetensors',
  'vae/wan_2.1_vae.safetensors',
  'loras/wan2.2_i2v_lightx2v_4steps_lora_v1_high_noise.safetensors',
  'loras/wan2.2_i2v_lightx2v_4steps_lora_v1_low_noise.safetensors',
];

type Combo = unknown[] | undefined;
const comboOf = (spec: unknown): Combo => {
  const [head, options] = Array.isArray(spec) ? spec : [];
  if (Array.isArray(head)) return head;
  return head === 'COMBO' ? (options as { options?: unknown[] } | undefined)?.options : undefined;
};

const modelInput = /^(unet|clip|vae|lora|ckpt|model)_name$/;

/** Every model-file combo of the loaders in an /object_info/{class} answer. */
function modelCombos(body: string): Record<string, Combo> {
  const out: Record<string, Combo> = {};
  for (const [name, info] of Object.entries(JSON.parse(body) as Record<string, { input: Record<string, Record<string, unknown>> }>))
    for (const section of Object.values(info.input))
      for (const [input, spec] of Object.entries(section)) if (modelInput.test(input) && comboOf(spec)) out[`${name}.${input}`] = comboOf(spec);
  return out;
}

const scenarios: Array<{ name: string; knobs?: Partial<SimulatorKnobs> }> = [
  { name: '01-discovery' },
  { name: '02-upload' },
  { name: '03-prompt-loadimage-scale-save' },
  { name: '04-prompt-animated-featureflags' },
  { name: '05-prompt-validation-errors' },
  { name: '06-prompt-runtime-error' },
  { name: '07-queue-interrupt-core', knobs: { secondsPerNode: 0.3 } },
  { name: '10-stub-object-info' },
  {
    name: '11-wan-i2v-real-core-nodes',
    knobs: { failAtNode: { classType: 'CLIPTextEncode', exceptionType: 'AttributeError', exceptionMessage: "'Placeholder' object has no attribute 'tokenize'" } },
  },
  { name: '12-wan-i2v-stubbed-run-binary-previews', knobs: { previews: true, secondsPerStep: 0.05 } },
  { name: '13-wan-i2v-stubbed-run-preview-metadata', knobs: { previews: true, secondsPerStep: 0.05 } },
  { name: '14-wan-i2v-interrupt-and-queue', knobs: { previews: true, secondsPerStep: 0.3 } },
];

for (const version of ['0.8.0', '0.3.65'] as const) {
  describe(`the simulator answers like ComfyUI ${version} in every recorded scenario`, () => {
    let sim: ComfySimulator;
    let forms: Array<() => FormData>;

    beforeAll(async () => {
      sim = await startComfySimulator({ version, models: modelsFromPaths(RECORDING_RIG_MODELS) });
      const a = await png('#c33', true);
      forms = [
        form({}, { name: 'rig_input.png', data: a }),
        form({}, { name: 'rig_input.png', data: await png('#3c3') }),
        form({}, { name: 'rig_input.png', data: a }),
        form({ overwrite: 'true' }, { name: 'rig_input.png', data: a }),
        form({ subfolder: 'rigsub' }, { name: 'sub.png', data: await png('#33c', true) }),
        form({ type: 'temp' }, { name: 'tmp.png', data: a }),
        form({}, { name: 'corrupt.png', data: Buffer.from('this is not a png at all') }),
        form({ overwrite: 'true' }),
      ];
    });
    afterAll(() => sim.close());

    it('has the recording rig\'s model files: every loader lists what the recording listed', async () => {
      const recorded = loadTranscript(version, '10-stub-object-info').filter((l) => l.dir === 'http' && /^\/object_info\/\w+$/.test(l.url ?? '') && l.status === 200);
      expect(recorded.length).toBeGreaterThan(0);
      for (const line of recorded) {
        const live = await fetch(sim.url + (line.url ?? ''));
        expect(modelCombos(await live.text()), line.url).toEqual(modelCombos(line.resp_body ?? '{}'));
      }
    });

    for (const scenario of scenarios) {
      it(scenario.name, async () => {
        if (scenario.name.startsWith('12')) await sim.restart();
        Object.assign(sim.knobs, { secondsPerStep: 0, secondsPerNode: 0, previews: false, failAtNode: undefined }, scenario.knobs);
        const problems = await replay(sim.url, loadTranscript(version, scenario.name), {
          forms: scenario.name.startsWith('02') ? forms : [],
          ignore,
        });
        expect(problems).toEqual([]);
      });
    }
  });
}
