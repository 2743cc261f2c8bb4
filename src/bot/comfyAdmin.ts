import type { ComfyClient } from '../comfy/client.ts';
import { type PreviewSetting, previewSettingOf } from '../comfy/systemFacts.ts';
import type { Logger } from '../log.ts';
import { formatBytes } from '../media/refusals.ts';

/**
 * What /comfy asks of the ComfyUI instances, and what /i2v's LoRA options read from
 * them. An adapter over the ComfyUI client so commands never hold a client themselves.
 */

export type PresetAvailability = {
  preset: string;
  ok: boolean;
  why?: string | undefined;
  /** The files this instance loads for it, e.g. "Q6_K: wan2.2_i2v_high_noise_14B_Q6_K.gguf, …". */
  models?: string | undefined;
  /** Its VRAM needs against the instance's GPUs. */
  vram?: string | undefined;
};

export type InstanceStatus =
  | {
      url: string;
      reachable: true;
      version: string | undefined;
      gpus: { name: string; freeBytes: number | undefined; totalBytes: number | undefined }[];
      running: number;
      pending: number;
      presets: PresetAvailability[] | undefined;
      /** ComfyUI sends preview frames only when started with --preview-method other than none. */
      previews: PreviewSetting;
    }
  | { url: string; reachable: false; error: string };

export type ComfyAdmin = {
  status(signal?: AbortSignal): Promise<InstanceStatus[]>;
  free(signal?: AbortSignal): Promise<{ url: string; ok: boolean; error?: string }[]>;
  /** Every LoRA file any instance has. */
  loraNames(signal?: AbortSignal): Promise<string[]>;
};

export type ComfyAdminOptions = {
  clients: readonly ComfyClient[];
  /** Which presets an instance can run (the workflow module's preflight); omitted: not shown. */
  presetCheck?: ((client: ComfyClient, signal?: AbortSignal) => Promise<PresetAvailability[]>) | undefined;
  logger: Logger;
};

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 200);

export function createComfyAdmin({ clients, presetCheck, logger }: ComfyAdminOptions): ComfyAdmin {
  const statusOf = async (client: ComfyClient, signal?: AbortSignal): Promise<InstanceStatus> => {
    try {
      const [stats, queue] = await Promise.all([client.systemStats(signal), client.getQueue(signal)]);
      const presets = presetCheck ? await presetCheck(client, signal).catch(() => undefined) : undefined;
      return {
        url: client.baseUrl,
        reachable: true,
        version: stats.system.comfyui_version,
        gpus: stats.devices
          .filter((device) => device.type !== 'cpu')
          .map((device) => ({ name: device.name, freeBytes: device.vram_free, totalBytes: device.vram_total })),
        running: queue.running.length,
        pending: queue.pending.length,
        presets,
        previews: previewSettingOf(stats),
      };
    } catch (error) {
      logger.info({ comfy: client.baseUrl, err: error }, 'ComfyUI status check failed');
      return { url: client.baseUrl, reachable: false, error: reason(error) };
    }
  };
  return {
    status: (signal) => Promise.all(clients.map((client) => statusOf(client, signal))),
    free: (signal) =>
      Promise.all(
        clients.map(async (client) => {
          try {
            await client.free({ unloadModels: true, freeMemory: true }, signal);
            return { url: client.baseUrl, ok: true };
          } catch (error) {
            return { url: client.baseUrl, ok: false, error: reason(error) };
          }
        }),
      ),
    async loraNames(signal) {
      const lists = await Promise.allSettled(clients.map((client) => client.models('loras', signal)));
      const names = lists.flatMap((list) => (list.status === 'fulfilled' ? list.value : []));
      if (names.length === 0 && lists.every((list) => list.status === 'rejected')) throw (lists[0] as PromiseRejectedResult | undefined)?.reason ?? new Error('no ComfyUI configured');
      return names;
    },
  };
}

/** /comfy status as text an admin reads at a glance. Pure. */
export function renderComfyStatus(statuses: readonly InstanceStatus[]): string {
  if (statuses.length === 0) return 'No ComfyUI instance is configured (COMFYUI_URL).';
  return statuses
    .map((status) => {
      if (!status.reachable) return `🔴 **${status.url}** — unreachable: ${status.error}`;
      const lines = [`🟢 **${status.url}** — ComfyUI ${status.version ?? '(version unknown)'} · ${status.running} running, ${status.pending} queued`];
      for (const gpu of status.gpus) {
        const free = gpu.freeBytes !== undefined ? formatBytes(gpu.freeBytes) : '?';
        const total = gpu.totalBytes !== undefined ? formatBytes(gpu.totalBytes) : '?';
        lines.push(`• ${gpu.name}: ${free} free of ${total}`);
      }
      if (status.gpus.length === 0) lines.push('• no GPU reported');
      const { previews } = status;
      lines.push(
        previews.enabled
          ? `• previews: on (\`--preview-method ${previews.method}\`)`
          : `• previews: off (${previews.known ? `\`--preview-method ${previews.method}\`` : 'command line not reported'}); start ComfyUI with \`--preview-method auto\``,
      );
      if (status.presets) {
        const can = status.presets.filter((p) => p.ok).map((p) => `\`${p.preset}\``);
        lines.push(`• can run: ${can.length > 0 ? can.join(', ') : 'none'}`);
        const models = [...new Set(status.presets.filter((p) => p.ok && p.models).map((p) => p.models))];
        for (const set of models) lines.push(`• loads ${set}`);
        for (const p of status.presets) if (p.vram) lines.push(`• \`${p.preset}\` VRAM: ${p.vram}`);
        for (const p of status.presets.filter((p) => !p.ok)) lines.push(`• cannot run \`${p.preset}\`: ${p.why ?? 'unknown reason'}`);
      }
      return lines.join('\n');
    })
    .join('\n\n');
}
