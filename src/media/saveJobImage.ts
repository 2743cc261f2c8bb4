import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Job ids become file names; anything else could climb out of DATA_DIR. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * Store a job's normalized input at `<dataDir>/inputs/<jobId>.png` and return that path.
 * Written to a temporary file and renamed, so a reader (a worker on shared storage, a
 * retry after a crash) never sees half a PNG.
 */
export async function saveJobImage(dataDir: string, jobId: string, png: Buffer): Promise<string> {
  if (!SAFE_ID.test(jobId) || jobId.includes('..')) throw new Error(`saveJobImage: unsafe job id ${JSON.stringify(jobId)}`);
  const dir = join(dataDir, 'inputs');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${jobId}.png`);
  const temp = join(dir, `.${jobId}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, png);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return path;
}
