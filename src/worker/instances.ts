import { connectComfy } from '../comfy/index.ts';
import type { ComfyConnection } from '../comfy/follow.ts';
import type { Logger } from '../log.ts';
import { describeVramFit, type ModelFiles, preflight, type PreflightReport, type PreflightWorkflows, type Presets } from '../workflow/index.ts';
import { NoInstanceError } from './failures.ts';

/**
 * The ComfyUI instances one worker drives: a connection each, a preflight report
 * each (what it can run), and slots: `capacity` prompts at once per instance (one
 * running, the next already waiting in ComfyUI's own queue so the GPU never idles
 * while we download, encode or deliver).
 */

/** What the pool knows of one instance (also what /readyz and the instance metrics read). */
export type InstanceState = {
  url: string;
  capacity: number;
  inFlight: number;
  reachable: boolean;
  checkedAt: number | undefined;
  report: PreflightReport | undefined;
  error: string | undefined;
};

export type Lease = {
  url: string;
  connection: ComfyConnection;
  /** The files this instance resolved for the preset at its last preflight (undefined for upscale). */
  models: ModelFiles | undefined;
  release(): void;
};

export type InstancePool = {
  /** Preflight every instance again (at start, periodically), or only `only` (its files changed under a job). */
  refresh(options?: { only?: string | undefined; signal?: AbortSignal | undefined }): Promise<void>;
  /** A slot on an instance that can run `preset` ('upscale' for the upscale workflow); waits for a free one. */
  acquire(preset: string, options: { prefer?: string | undefined; signal: AbortSignal }): Promise<Lease>;
  /** A connection to any instance by URL (re-attaching to a run another worker started). */
  connectionFor(url: string): ComfyConnection;
  /** What each instance looks like now: reachable, slots in use, its last preflight. */
  status(): InstanceState[];
  close(): Promise<void>;
};

type Slot = InstanceState & { connection: ComfyConnection & { close(): Promise<void> } };

export function createInstancePool(options: {
  urls: readonly string[];
  capacity: number;
  presets: Presets;
  workflows: PreflightWorkflows;
  logger: Logger;
}): InstancePool {
  const { presets, workflows, logger } = options;
  const slots: Slot[] = options.urls.map((url) => ({
    url,
    capacity: options.capacity,
    inFlight: 0,
    reachable: false,
    checkedAt: undefined,
    report: undefined,
    error: undefined,
    connection: connectComfy({ baseUrl: url, logger }),
  }));
  const adHoc = new Map<string, ComfyConnection & { close(): Promise<void> }>();
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of [...waiters]) wake();
  };

  const canRun = (slot: Slot, preset: string) =>
    slot.report !== undefined && (preset === 'upscale' ? slot.report.upscaleRunnable : slot.report.presets[preset]?.runnable === true);

  async function refreshOne(slot: Slot, signal?: AbortSignal): Promise<void> {
    try {
      const first = slot.checkedAt === undefined;
      slot.report = await preflight(slot.connection.client, presets, workflows, signal);
      slot.reachable = true;
      slot.error = undefined;
      const { report } = slot;
      const unrunnable = Object.entries(report.presets).filter(([, preset]) => !preset.runnable);
      if (unrunnable.length > 0) logger.warn({ comfy: slot.url, missing: Object.fromEntries(unrunnable.map(([name, preset]) => [name, preset.missing])) }, 'ComfyUI cannot run some presets');
      if (first) {
        const { previews } = report.system;
        logger.info(
          {
            comfy: slot.url,
            version: report.system.version,
            models: Object.fromEntries(Object.entries(report.presets).map(([name, preset]) => [name, preset.models])),
            vram: Object.fromEntries(Object.entries(report.presets).map(([name, preset]) => [name, describeVramFit(preset.vram)])),
            previews: previews.method,
          },
          'ComfyUI preflight: the files each preset loads',
        );
        if (!previews.enabled) {
          logger.warn({ comfy: slot.url, previewMethod: previews.method }, 'ComfyUI sends no preview frames: start it with --preview-method auto');
        }
      }
    } catch (error) {
      slot.reachable = false;
      slot.report = undefined;
      slot.error = error instanceof Error ? error.message : String(error);
      logger.warn({ comfy: slot.url, err: error }, 'preflight failed');
    }
    slot.checkedAt = Date.now();
  }

  return {
    async refresh({ only, signal } = {}) {
      await Promise.all(slots.filter((slot) => only === undefined || slot.url === only).map((slot) => refreshOne(slot, signal)));
      wakeAll();
    },
    async acquire(preset, { prefer, signal }) {
      for (;;) {
        signal.throwIfAborted();
        const preferred = prefer ? slots.find((slot) => slot.url === prefer) : undefined;
        const able = preferred && canRun(preferred, preset) ? [preferred] : slots.filter((slot) => canRun(slot, preset));
        if (able.length === 0) {
          const reasons = slots.map((slot) => `${slot.url}: ${slot.error ?? slot.report?.presets[preset]?.missing.join(', ') ?? (preset === 'upscale' ? slot.report?.upscaleMissing.join(', ') : undefined) ?? 'unknown preset'}`);
          throw new NoInstanceError(preset, reasons, slots.every((slot) => slot.reachable));
        }
        const free = able.filter((slot) => slot.inFlight < slot.capacity).sort((a, b) => a.inFlight - b.inFlight)[0];
        if (free) {
          free.inFlight += 1;
          let released = false;
          return {
            url: free.url,
            connection: free.connection,
            models: preset === 'upscale' ? undefined : free.report?.presets[preset]?.models,
            release() {
              if (released) return;
              released = true;
              free.inFlight -= 1;
              wakeAll();
            },
          };
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            signal.removeEventListener('abort', wake);
            resolve();
          };
          waiters.add(wake);
          signal.addEventListener('abort', wake, { once: true });
        });
      }
    },
    connectionFor(url) {
      const own = slots.find((slot) => slot.url === url);
      if (own) return own.connection;
      let connection = adHoc.get(url);
      if (!connection) {
        connection = connectComfy({ baseUrl: url, logger });
        adHoc.set(url, connection);
      }
      return connection;
    },
    status: () => slots.map(({ connection: _connection, ...state }) => ({ ...state })),
    async close() {
      wakeAll();
      await Promise.all([...slots.map((slot) => slot.connection.close()), ...[...adHoc.values()].map((connection) => connection.close())]);
    },
  };
}
