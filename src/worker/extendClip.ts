import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { joinClips } from '../media/index.ts';
import type { JobData } from '../queue/schemas.ts';

/**
 * ⏩: the new segment was made from the parent clip's last frame; the member gets one
 * clip, the parent followed by the segment without its first (shared) frame.
 */
export async function joinExtension(data: JobData, segment: string, dir: string, options: { ffmpegPath: string; signal?: AbortSignal | undefined }): Promise<string> {
  const source = data.extend;
  if (!source) return segment;
  try {
    return await joinClips(source.videoPath, segment, join(dir, 'extended.mp4'), options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || /No such file/i.test(String((error as Error).message))) {
      throw new UserError('extend_source_missing', 'The clip this extends is no longer on the server; extend a newer video, or start again with `/i2v`.', { cause: error });
    }
    throw error;
  }
}
