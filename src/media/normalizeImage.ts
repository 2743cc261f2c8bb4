import { sharp } from './sharp.ts';
import { classifySharpError, readImageHeader } from './inspectImage.ts';

export const NORMALIZE_DEFAULTS = {
  /** Long edge of the stored image; never upscaled. Large enough for any preset and an upscale. */
  maxEdge: 2048,
} as const;

export type NormalizeOptions = { maxPixels: number } & Partial<{ [K in keyof typeof NORMALIZE_DEFAULTS]: number }>;

export type NormalizedImage = { png: Buffer; width: number; height: number };

/**
 * The member's image as we keep it under DATA_DIR, so a retry or upscale hours later
 * never depends on Discord's expiring URL: first frame, EXIF orientation applied,
 * metadata stripped (sharp writes none unless asked), long edge ≤ maxEdge, PNG.
 * Refuses what inspectImage refuses, checking the header before decoding.
 */
export async function normalizeImage(buffer: Buffer, options: NormalizeOptions): Promise<NormalizedImage> {
  const { maxPixels, maxEdge } = { ...NORMALIZE_DEFAULTS, ...options };
  await readImageHeader(buffer, { maxPixels });
  try {
    const { data, info } = await sharp(buffer, { limitInputPixels: maxPixels, failOn: 'error' })
      .autoOrient()
      .resize(maxEdge, maxEdge, { fit: 'inside', withoutEnlargement: true })
      // Wan takes RGB; transparent pixels would otherwise show whatever colour they hide.
      .flatten({ background: '#ffffff' })
      .png({ compressionLevel: 6 })
      .toBuffer({ resolveWithObject: true });
    return { png: data, width: info.width, height: info.height };
  } catch (error) {
    throw classifySharpError(error);
  }
}
