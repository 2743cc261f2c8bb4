import type { Reporter } from '../../src/queue/reporter.ts';
import { sleep } from './clock.ts';

/**
 * A delivering reporter for the GPU-gap figures: `delivered` takes as long as uploading
 * `uploadBytes` (default: the real file's size) at `bytesPerSecond` would, then tells
 * `inner`. The worker holds the job (and its slot) for that long, as it does on Discord.
 */
export function throttledDelivery(inner: Reporter, options: { bytesPerSecond: number; uploadBytes?: number }): Reporter {
  return {
    ...inner,
    async delivered(job, result) {
      await sleep(((options.uploadBytes ?? result.bytes) / options.bytesPerSecond) * 1000);
      await inner.delivered(job, result);
    },
  };
}

export const UPLOAD_BYTES_PER_SECOND = 20 * 1000 * 1000;
export const EIGHT_MB = 8 * 1000 * 1000;
