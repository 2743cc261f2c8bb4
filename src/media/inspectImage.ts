import type { Metadata } from 'sharp';
import { sharp } from './sharp.ts';
import { refuse } from './refusals.ts';
import { checkImageShape, IMAGE_LIMITS, type ImageLimits } from './imageLimits.ts';

export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export type ImageInfo = {
  format: ImageFormat;
  /** As a member sees it: after EXIF orientation. For an animation, one frame. */
  width: number;
  height: number;
  /** Frames in the file; 1 for a still. */
  pages: number;
  animated: boolean;
};

export type InspectOptions = { maxPixels: number } & Partial<Omit<ImageLimits, 'maxPixels'>>;

/**
 * Read the header only (no pixels decoded) and check the shape, so a decompression
 * bomb (a 20000×20000 PNG of a few hundred bytes) is refused before it costs memory.
 */
export async function readImageHeader(buffer: Buffer, options: InspectOptions): Promise<ImageInfo> {
  const limits: ImageLimits = { ...IMAGE_LIMITS, ...options };
  let metadata: Metadata;
  try {
    metadata = await sharp(buffer, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw classifySharpError(error);
  }
  const format = formatOf(metadata);
  if (!metadata.width || !metadata.height) throw refuse.corrupt();
  const pages = metadata.pages ?? 1;
  // Multi-page TIFFs are documents, not animations; their pages are read one at a time too.
  const pageHeight = metadata.pageHeight && pages > 1 ? metadata.pageHeight : metadata.height;
  const turned = (metadata.orientation ?? 1) >= 5;
  const width = turned ? pageHeight : metadata.width;
  const height = turned ? metadata.width : pageHeight;
  const checked = checkImageShape({ width, height, pages }, limits);
  if (!checked.ok) throw checked.error;
  return { format, width, height, pages, animated: pages > 1 && format !== 'tiff' };
}

/**
 * Check that a buffer is an image we can animate: a supported format, sane
 * dimensions, and pixels that actually decode (a truncated JPEG has a fine header).
 * Refusals are UserErrors: image_unsupported, image_corrupt, image_dimensions.
 */
export async function inspectImage(buffer: Buffer, options: InspectOptions): Promise<ImageInfo> {
  const info = await readImageHeader(buffer, options);
  try {
    // Decoding to a thumbnail reads every byte (truncation shows) while JPEG and WebP
    // shrink on load, so a 12 MP photo costs a fraction of its full decode.
    await sharp(buffer, { limitInputPixels: options.maxPixels, failOn: 'error' })
      .resize(256, 256, { fit: 'inside' })
      .raw()
      .toBuffer();
  } catch (error) {
    throw classifySharpError(error);
  }
  return info;
}

function formatOf(metadata: Metadata): ImageFormat {
  const format: string = metadata.format ?? '';
  if (format === 'heif') {
    if (metadata.compression === 'av1') return 'avif';
    throw refuse.heic();
  }
  if ((IMAGE_FORMATS as readonly string[]).includes(format)) return format as ImageFormat;
  throw refuse.unsupported();
}

/** sharp speaks in libvips messages; turn them into what a member can act on. */
export function classifySharpError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/unsupported image format/i.test(message)) return refuse.unsupported(error);
  if (/exceeds pixel limit/i.test(message)) {
    return refuse.dimensions('That image has more pixels than I can read; scale it down, e.g. to 2048 pixels on the long side, and send it again.');
  }
  return refuse.corrupt(error);
}
