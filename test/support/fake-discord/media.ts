/**
 * What Discord's media pipeline would say about an uploaded file: its content type
 * and, for images, its size in pixels. Read from the first bytes, synchronously, so
 * the driver can build an interaction without awaiting anything.
 */

const byExtension: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  jfif: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

export function sniffContentType(data: Buffer, filename: string): string {
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (data.subarray(4, 8).toString('latin1') === 'ftyp') {
    const brand = data.subarray(8, 12).toString('latin1');
    if (brand.startsWith('avi')) return 'image/avif';
    if (brand === 'qt  ') return 'video/quicktime';
    return 'video/mp4';
  }
  const extension = filename.split('.').pop()?.toLowerCase() ?? '';
  return byExtension[extension] ?? 'application/octet-stream';
}

export type Dimensions = { width: number; height: number };

/** Pixel size of a PNG, GIF, JPEG or WebP; undefined for anything else or a broken header. */
export function imageDimensions(data: Buffer): Dimensions | undefined {
  try {
    const type = sniffContentType(data, '');
    if (type === 'image/png') return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
    if (type === 'image/gif') return { width: data.readUInt16LE(6), height: data.readUInt16LE(8) };
    if (type === 'image/jpeg') return jpegDimensions(data);
    if (type === 'image/webp') return webpDimensions(data);
  } catch {
    // A truncated header reads past the end: no dimensions, like Discord for a broken image.
  }
  return undefined;
}

function jpegDimensions(data: Buffer): Dimensions | undefined {
  let offset = 2;
  while (offset + 9 < data.length) {
    if (data[offset] !== 0xff) return undefined;
    const marker = data[offset + 1] ?? 0;
    const length = data.readUInt16BE(offset + 2);
    // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return undefined;
}

function webpDimensions(data: Buffer): Dimensions | undefined {
  const chunk = data.subarray(12, 16).toString('latin1');
  if (chunk === 'VP8X') return { width: 1 + data.readUIntLE(24, 3), height: 1 + data.readUIntLE(27, 3) };
  if (chunk === 'VP8 ') return { width: data.readUInt16LE(26) & 0x3fff, height: data.readUInt16LE(28) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = data.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  return undefined;
}
