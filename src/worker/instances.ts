import { connectComfy } from '../comfy/index.ts';
import type { ComfyConnection } from '../comfy/follow.ts';
import type { Logger } from '../log.ts';
import { preflight, type PreflightReport, type PreflightWorkflows, type Presets } from '../workflow/index.ts';
import { NoInstanceError } from './failures.ts';

/**
 * The ComfyUI instances one worker drives: a connection each, a preflight report
 * each (what it can run), and slots: `capacity` prompts at once per instance (one
 * running, the next already waiting in ComfyUI's own queue so the GPU never idles
 * while we download, encode or deliver).
 */

export type InstanceStatus = {
  url: string;
  capacity: number;
  inFlight: number;
  reachable: boolean;
  checkedAt: number | undefined;
  report: PreflightReport | undefined;
  error: string | undefined;
};

export type Lease = { url: string; connection: ComfyConnection; release(): void };

export type InstancePool = {
  /** Preflight every instance again (at start, periodically, and when /comfy status asks). */
  refresh(signal?: AbortSignal): Promise<InstanceStatus[]>;
  status(): InstanceStatus[];
  /** A slot on an instance that can run `preset` ('upscale' for the upscale workflow); waits for a free one. */
  acquire(preset: string, options: { prefer?: string | undefined; signal: AbortSignal }): Promise<Lease>;
  /** A connection to any instance by URL (re-attaching to a run another worker started). */
  connectionFor(url: string): ComfyConnection;
  close(): Promise<void>;
};

type Slot = InstanceStatus & { connection: ComfyConnection & { close(): Promise<void> } };

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

  const publicStatus = (slot: Slot): InstanceStatus => {
    const { connection: _connection, ...status } = slot;
    return { ...status };
  };

  async function refreshOne(slot: Slot, signal?: AbortSignal): Promise<void> {
    try {
      slot.report = await preflight(slot.connection.client, presets, workflows, signal);
      slot.reachable = true;
      slot.error = undefined;
      const unrunnable = Object.entries(slot.report.presets).filter(([, report]) => !report.runnable);
      if (unrunnable.length > 0) logger.warn({ comfy: slot.url, missing: Object.fromEntries(unrunnable.map(([name, report]) => [name, report.missing])) }, 'ComfyUI cannot run some presets');
    } catch (error) {
      slot.reachable = false;
      slot.report = undefined;
      slot.error = error instanceof Error ? error.message : String(error);
      logger.warn({ comfy: slot.url, err: error }, 'preflight failed');
    }
    slot.checkedAt = Date.now();
  }

  return {
    async refresh(signal) {
      await Promise.all(slots.map((slot) => refreshOne(slot, signal)));
      wakeAll();
      return slots.map(publicStatus);
    },
    status: () => slots.map(publicStatus),
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
    async close() {
      wakeAll();
      await Promise.all([...slots.map((slot) => slot.connection.close()), ...[...adHoc.values()].map((connection) => connection.close())]);
    },
  };
}
