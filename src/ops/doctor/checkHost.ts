import { randomBytes } from 'node:crypto';
import { mkdir, rm, statfs, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from '../../config.ts';
import { ffprobeBeside, runTool } from '../../media/runTool.ts';
import { formatDuration } from '../duration.ts';
import { fail, ok, warn, type CheckResult } from './report.ts';

/** ffmpeg 5.1 is the oldest our re-encode ladder was tested with (Debian 12 ships it). */
const MIN_FFMPEG = [5, 1] as const;
/** Below this much free space in DATA_DIR a few large videos fill the disk. */
const LOW_FREE_BYTES = 5 * 1024 ** 3;

/** Pure: the version in `ffmpeg -version`'s first line ("ffmpeg version 5.1.6-0+deb12u1 …" → "5.1.6-0+deb12u1"). */
export function toolVersion(output: string): string {
  return /version\s+(\S+)/.exec(output)?.[1] ?? 'unknown';
}

async function checkTool(name: 'ffmpeg' | 'ffprobe', binary: string): Promise<CheckResult> {
  try {
    const { stdout } = await runTool(binary, ['-hide_banner', '-version'], { signal: AbortSignal.timeout(10_000) });
    const version = toolVersion(stdout);
    const [major = 0, minor = 0] = (/^n?(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
    const known = /^n?\d+\.\d+/.test(version);
    if (known && (major < MIN_FFMPEG[0] || (major === MIN_FFMPEG[0] && minor < MIN_FFMPEG[1]))) {
      return warn(`${name} ${version} (${binary}) is older than ${MIN_FFMPEG.join('.')}`, 'apt-get install ffmpeg from a current release (Debian 12 has 5.1), or point FFMPEG_PATH at a newer build');
    }
    return ok(`${name} ${version} (${binary})`);
  } catch {
    return fail(`${name} not found or not runnable at ${binary}`, name === 'ffmpeg' ? 'sudo apt-get install ffmpeg, or set FFMPEG_PATH to an ffmpeg binary' : 'sudo apt-get install ffmpeg (ffprobe comes with it), or put ffprobe beside FFMPEG_PATH');
  }
}

async function checkDataDir(config: Config): Promise<CheckResult[]> {
  const dir = resolve(config.DATA_DIR);
  const probe = join(dir, `.doctor-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, 'ok');
    await rm(probe, { force: true });
  } catch (error) {
    return [fail(`DATA_DIR ${dir} is not writable (${(error as NodeJS.ErrnoException).code ?? 'error'})`, `mkdir -p ${dir} && chown $(id -un) ${dir}, or set DATA_DIR to a writable folder`)];
  }
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  const freeText = `${(free / 1024 ** 3).toFixed(1)} GB free`;
  const retention = `finished files are removed after ${formatDuration(config.RETENTION)} (RETENTION)`;
  return [free < LOW_FREE_BYTES
    ? warn(`DATA_DIR ${dir} is writable but has only ${freeText}`, `free some space, move DATA_DIR to a larger disk, or shorten RETENTION (now ${formatDuration(config.RETENTION)})`)
    : ok(`DATA_DIR ${dir} is writable, ${freeText}; ${retention}`)];
}

function checkOpsSettings(config: Config): CheckResult[] {
  const results: CheckResult[] = [];
  if (config.METRICS_PORT === undefined) results.push(ok('health and metrics port: off (METRICS_PORT empty)'));
  else results.push(ok(`health and metrics on http://${config.METRICS_HOST}:${config.METRICS_PORT} (/healthz, /readyz, /metrics)`));
  if (config.PUBLIC_BASE_URL && config.METRICS_PORT === undefined) {
    results.push(fail('PUBLIC_BASE_URL is set but METRICS_PORT is not: the links would point at nothing', 'set METRICS_PORT (the port PUBLIC_BASE_URL forwards to), or empty PUBLIC_BASE_URL'));
  } else if (config.PUBLIC_BASE_URL && ['127.0.0.1', 'localhost', '::1'].includes(config.METRICS_HOST)) {
    results.push(ok(`videos too large to post are linked under ${config.PUBLIC_BASE_URL} (a reverse proxy must forward /videos/ to port ${config.METRICS_PORT}), valid ${formatDuration(config.LINK_TTL)}`));
  } else if (config.PUBLIC_BASE_URL) {
    results.push(ok(`videos too large to post are linked under ${config.PUBLIC_BASE_URL}, valid ${formatDuration(config.LINK_TTL)}`));
  }
  return results;
}

/** ffmpeg and ffprobe, DATA_DIR, and the settings of the health port and links. */
export async function checkHost(config: Config): Promise<CheckResult[]> {
  return [
    await checkTool('ffmpeg', config.FFMPEG_PATH),
    await checkTool('ffprobe', ffprobeBeside(config.FFMPEG_PATH)),
    ...(await checkDataDir(config)),
    ...checkOpsSettings(config),
  ];
}
