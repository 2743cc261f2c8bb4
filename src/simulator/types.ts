import type { Logger } from '../log.ts';

/** Which recorded server the simulator imitates where the two differ. */
export type SimulatedVersion = '0.8.0' | '0.3.65';

/** Fault and speed switches; mutable at run time through `sim.knobs`. */
export type SimulatorKnobs = {
  /** Seconds per sampler step (KSamplerAdvanced). Default 0.02. */
  secondsPerStep: number;
  /** Seconds per VHS_VideoCombine frame of progress. Default 0. */
  secondsPerFrame: number;
  /** Seconds every executed node takes besides its steps. Default 0. */
  secondsPerNode: number;
  /** Raise an execution_error at the first node matching this class or id. */
  failAtNode?: { classType?: string; nodeId?: string; exceptionType: string; exceptionMessage: string } | undefined;
  /** Raise a realistic torch.OutOfMemoryError at the first node of this class. */
  outOfMemoryAtNode?: string | undefined;
  /** Close every client socket after this many sampler steps of a run. */
  dropSocketAfterSteps?: number | undefined;
  /** Answer POST /prompt with a bare 500, as a crashing server does. */
  failPromptWith500?: boolean | undefined;
  /** Behave like a server from before 2024-07: no execution_success, progress_state, timestamps or /features. */
  oldServer?: boolean | undefined;
  /** Behave like a server older than 0.3.45: ignore a client-chosen prompt_id and pick a uuid. */
  ignoresPromptId?: boolean | undefined;
  /** Send binary preview frames with sampler steps (type 1, or type 4 to sockets that negotiated metadata). */
  previews?: boolean | undefined;
  /** Write history this long after the terminal message instead of before `executing null`. */
  delayHistoryWriteMs?: number | undefined;
  /** How an unknown class_type is reported: 0.8.0's `invalid_prompt` or later servers' `missing_node_type`. */
  unknownNodeErrorStyle: 'invalid_prompt' | 'missing_node_type';
  /** Classes to pretend are not installed. */
  missingNodeClasses?: string[] | undefined;
};

export const defaultKnobs = {
  secondsPerStep: 0.02,
  secondsPerFrame: 0,
  secondsPerNode: 0,
  unknownNodeErrorStyle: 'invalid_prompt',
} as const satisfies SimulatorKnobs;

export type SimulatorOptions = {
  /** Port to listen on; 0 picks a free one. Default 0. */
  port: number;
  /** Default 127.0.0.1. */
  host: string;
  /** Default 0.8.0. */
  version: SimulatedVersion;
  /** Where input/, output/ and temp/ live. Default: a fresh temporary directory. */
  dataDir: string | undefined;
  /**
   * Model files on disk per models/ folder (`clip`, `text_encoders`, `diffusion_models`, `unet`, …);
   * /models/{key} lists them the way ComfyUI does (`modelFolders.ts`). Default: the owner's box.
   */
  models: Record<string, string[]>;
  /** DisTorch2 device list. Default ['cpu', 'cuda:0', 'cuda:1']. */
  devices: string[];
  knobs: Partial<SimulatorKnobs>;
  logger: Logger | undefined;
  /** ffmpeg binary; default FFMPEG_PATH or `ffmpeg` on the PATH. */
  ffmpegPath: string;
  ffprobePath: string;
  /**
   * Copy an earlier render of the same picture, size, length and format instead of running
   * ffmpeg again. For the benchmark: many simulators on two cores would otherwise measure
   * their own encoding, not the worker. Off by default.
   */
  reuseRenders: boolean;
};

/**
 * The owner's installation (their architecture notes): the Q6_K experts in the owner's naming,
 * the CONVERTED umt5 in models/clip, the 2.2 VAE, LoRAs in "wan 2.2/" with spaces in names.
 */
export const OWNER_MODEL_PATHS = [
  'diffusion_models/wan2.2_i2v_high_noise_14B_Q6_K.gguf',
  'diffusion_models/wan2.2_i2v_low_noise_14B_Q6_K.gguf',
  'clip/umt5-xxl-enc-bf16-uncensored-CONVERTED.safetensors',
  'vae/wan_2.2_vae.safetensors',
] as const;

/** Files on disk per models/ folder, as a fresh simulator has them: the owner's box, plus LoRAs and upscale models. */
export function defaultModels(): Record<string, string[]> {
  return {
    diffusion_models: ['wan2.2_i2v_high_noise_14B_Q6_K.gguf', 'wan2.2_i2v_low_noise_14B_Q6_K.gguf'],
    clip: ['umt5-xxl-enc-bf16-uncensored-CONVERTED.safetensors'],
    vae: ['wan_2.2_vae.safetensors'],
    loras: [
      'high_noise/orbit_camera_high.safetensors',
      'low_noise/orbit_camera_low.safetensors',
      'style/watercolor_wan22.safetensors',
      'wan 2.2/wan2.2_i2v_lightx2v_4steps_lora_v1_high_noise.safetensors',
      'wan 2.2/wan2.2_i2v_lightx2v_4steps_lora_v1_low_noise.safetensors',
    ],
    upscale_models: ['4x-UltraSharp.pth', 'RealESRGAN_x2plus.pth'],
  };
}

export const defaultOptions = {
  port: 0,
  host: '127.0.0.1',
  version: '0.8.0',
  dataDir: undefined,
  devices: ['cpu', 'cuda:0', 'cuda:1'],
  knobs: {},
  logger: undefined,
  ffmpegPath: process.env.FFMPEG_PATH ?? 'ffmpeg',
  ffprobePath: process.env.FFPROBE_PATH ?? 'ffprobe',
  reuseRenders: false,
} as const satisfies Omit<SimulatorOptions, 'models'>;

/** One prompt's life, in ms on the performance clock (timeOrigin + now), for the benchmark. */
export type TimelineEntry = {
  promptId: string;
  receivedAt: number;
  startedAt?: number | undefined;
  endedAt?: number | undefined;
  status?: 'success' | 'error' | 'interrupted' | undefined;
};

export type ReceivedRequest = { method: string; url: string; at: number };

export type JsonObject = Record<string, unknown>;

/** An API-format graph after validation. */
export type PromptGraph = Record<string, { class_type: string; inputs: JsonObject; _meta?: unknown }>;

/** `[number, prompt_id, prompt, extra_data, outputs_to_execute]`, as /queue and history list it. */
export type QueueItem = {
  number: number;
  promptId: string;
  prompt: PromptGraph;
  extraData: JsonObject;
  outputs: string[];
};

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
