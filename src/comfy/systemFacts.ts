import type { SystemStats } from './schemas.ts';

/**
 * What `/system_stats` says about how a ComfyUI was started and what it runs on. Pure.
 */

/**
 * ComfyUI sends preview frames only when started with `--preview-method` other than `none`, its
 * default. `unknown`: the server does not report its command line (`argv`).
 */
export type PreviewSetting = { method: string; enabled: boolean; known: boolean };

export function previewSettingOf(stats: Pick<SystemStats, 'system'>): PreviewSetting {
  const argv = stats.system.argv;
  if (!argv) return { method: 'unknown', enabled: false, known: false };
  let method = 'none';
  argv.forEach((arg, index) => {
    if (arg === '--preview-method') method = argv[index + 1] ?? method;
    else if (arg.startsWith('--preview-method=')) method = arg.slice('--preview-method='.length);
  });
  return { method, enabled: method !== 'none', known: true };
}

export type Gpu = { name: string; totalBytes: number | undefined; freeBytes: number | undefined };

/** The GPUs ComfyUI reports (it lists its main torch device; a CPU-only box lists none). */
export function gpusOf(stats: Pick<SystemStats, 'devices'>): Gpu[] {
  return stats.devices
    .filter((device) => device.type !== 'cpu')
    .map((device) => ({ name: device.name, totalBytes: device.vram_total, freeBytes: device.vram_free }));
}
