import { sharp } from './sharp.ts';
import { classifySharpError } from './inspectImage.ts';

export type PrepareOptions = {
  /** The job's exact resolution (multiples of 16, from the preset). */
  width: number;
  height: number;
  /** Refuse inputs with more pixels than this; default 50 MP (MAX_INPUT_PIXELS' default). */
  maxPixels?: number | undefined;
};

/**
 * The frame ComfyUI starts from: scaled to cover and centre-cropped to exactly the
 * job's width × height, so the workflow never stretches it. Applies EXIF orientation
 * and takes the first frame too, so it is safe on an unnormalized image; PNG, no metadata.
 */
export async function prepareImage(buffer: Buffer, options: PrepareOptions): Promise<Buffer> {
  const { width, height, maxPixels = 50_000_000 } = options;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`prepareImage needs a positive integer size, got ${width}×${height}`);
  }
  try {
    return await sharp(buffer, { limitInputPixels: maxPixels, failOn: 'error' })
      .autoOrient()
      .resize(width, height, { fit: 'cover', position: 'centre' })
      .flatten({ background: '#ffffff' })
      .png({ compressionLevel: 3 })
      .toBuffer();
  } catch (error) {
    throw classifySharpError(error);
  }
}
