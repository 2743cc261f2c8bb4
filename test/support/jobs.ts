import sharp from 'sharp';
import { createJobId } from '../../src/queue/index.ts';
import type { JobData } from '../../src/queue/schemas.ts';
import type { JobOptions } from '../../src/workflow/jobOptions.ts';

export type SampleJobSpec = Partial<Omit<JobData, 'options'>> & {
  options?: Partial<JobOptions>;
  /** A 256×192 image file the job starts from (e.g. `world.input`); default a path that does not exist. */
  image?: string;
};

/**
 * The one place tests and the bench build job data: a tiny, fast i2v job (the fast preset,
 * 192×128, 17 frames, seed 1234) unless told otherwise.
 */
export function sampleJob(spec: SampleJobSpec = {}): JobData {
  const { options, image, ...overrides } = spec;
  return {
    v: 1,
    kind: 'i2v',
    options: { prompt: 'a fox turns its head', preset: 'fast', aspect: 'auto', seed: 1234, width: 192, height: 128, frames: 17, ...options },
    input: { path: image ?? '/tmp/none.png', width: 256, height: 192 },
    sizeLimit: 10 * 1024 * 1024,
    requester: { userId: '100000000000000001', name: 'member' },
    createdAt: Date.now(),
    ...overrides,
  };
}

/** Store `image` the way /i2v does (normalized PNG under DATA_DIR) and build the job's data around it. */
export async function storeSampleJob(
  world: { dataDir: string; config: { MAX_INPUT_PIXELS: number } },
  image: Buffer,
  spec: Omit<SampleJobSpec, 'image' | 'input'> = {},
): Promise<{ jobId: string; data: JobData }> {
  // Loaded here, not at the top: src/media loads the project's undici, and loaded before discord.js it
  // becomes the global dispatcher for discord.js's REST too, whose multipart bodies it then cannot read.
  const { normalizeImage, saveJobImage } = await import('../../src/media/index.ts');
  const jobId = createJobId();
  const normalized = await normalizeImage(image, { maxPixels: world.config.MAX_INPUT_PIXELS });
  const path = await saveJobImage(world.dataDir, jobId, normalized.png);
  return { jobId, data: sampleJob({ ...spec, input: { path, width: normalized.width, height: normalized.height } }) };
}

/** A small start image written where the job data points. */
export async function writeStartImage(path: string, width = 256, height = 192): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 90, b: 40 } } })
    .composite([{ input: { create: { width: width / 2, height: height / 2, channels: 3, background: { r: 20, g: 60, b: 200 } } }, left: 16, top: 16 }])
    .png()
    .toFile(path);
}

/** A small real PNG, as a member's photo would be. */
export async function testImage(width = 640, height = 360): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 120, b: 40 } } })
    .png()
    .toBuffer();
}

/** The flag of a message only its recipient sees. */
export const EPHEMERAL = 64;
