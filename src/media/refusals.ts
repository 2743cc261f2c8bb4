import { UserError } from '../errors.ts';

/**
 * Every way media refuses a member's input, as stable codes and sentences a member
 * understands. Tests and the bot match on the code; the words may change.
 */
export const MEDIA_CODES = {
  attachmentHost: 'attachment_host',
  attachmentTooLarge: 'attachment_too_large',
  attachmentTimeout: 'attachment_timeout',
  attachmentFetch: 'attachment_fetch',
  imageUnsupported: 'image_unsupported',
  imageCorrupt: 'image_corrupt',
  imageDimensions: 'image_dimensions',
} as const;

/** "900 KB", "9.6 MB", "250 MB", "1.5 GB": sizes as a member reads them (binary units, called KB/MB/GB like Discord). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  const mb = bytes / (1024 * 1024);
  if (mb >= 1024) return `${(mb / 1024).toFixed(1).replace(/\.0$/, '')} GB`;
  return `${mb >= 100 ? Math.round(mb) : mb.toFixed(1).replace(/\.0$/, '')} MB`;
}

export const refuse = {
  host: (cause?: unknown) =>
    new UserError(MEDIA_CODES.attachmentHost, 'I can only use images uploaded to Discord; please attach the image to the command itself.', { cause }),
  /** `bytes` when the size is known up front (Discord declares it), else found while streaming. */
  tooLarge: (maxBytes: number, bytes?: number) =>
    new UserError(
      MEDIA_CODES.attachmentTooLarge,
      bytes === undefined
        ? `That file is larger than ${formatBytes(maxBytes)}; please send a smaller image.`
        : `That image is ${formatBytes(bytes)}; the limit is ${formatBytes(maxBytes)}. Send a smaller or more compressed image.`,
    ),
  timeout: (cause?: unknown) =>
    new UserError(MEDIA_CODES.attachmentTimeout, 'Downloading your image took too long; please try again in a moment, or send a smaller image.', { cause }),
  fetch: (detail: string, cause?: unknown) =>
    new UserError(MEDIA_CODES.attachmentFetch, `I could not download your image (${detail}); please attach it again and retry.`, { cause }),
  unsupported: (cause?: unknown) =>
    new UserError(MEDIA_CODES.imageUnsupported, 'That file is not an image I can read; send a PNG, JPEG or WebP.', { cause }),
  heic: () =>
    new UserError(MEDIA_CODES.imageUnsupported, 'HEIC photos are not supported; export the photo as JPEG or PNG (on iPhone: Settings → Camera → Formats → Most Compatible) and send it again.'),
  corrupt: (cause?: unknown) =>
    new UserError(MEDIA_CODES.imageCorrupt, 'That image looks damaged or incomplete; open it on your device, save it again as PNG or JPEG, and send the new file.', { cause }),
  dimensions: (why: string) => new UserError(MEDIA_CODES.imageDimensions, why),
} as const;
