import type { Logger } from '../log.ts';

/**
 * The LoRAs ComfyUI actually has, cached so /i2v can check a name in microseconds and
 * autocomplete answers within Discord's 3 seconds. Refreshed in the background.
 */

export type LoraCatalog = {
  /** The cached list; undefined until it was read once. */
  names(): readonly string[] | undefined;
  /** True/false when the list is known; undefined when ComfyUI was never reachable (the worker checks then). */
  has(name: string): boolean | undefined;
  /** Read the list again if it is older than the TTL; never throws (keeps the old list). */
  refresh(signal?: AbortSignal): Promise<readonly string[] | undefined>;
};

export type LoraCatalogOptions = {
  /** Reads the LoRA file names (ComfyUI `GET /models/loras`, all instances merged). */
  fetchNames: (signal?: AbortSignal) => Promise<string[]>;
  /** Milliseconds a list stays fresh; default 60 000. */
  ttlMs: number;
  logger: Logger;
  now: () => number;
};

const defaults = { ttlMs: 60_000, now: Date.now } as const;

export function createLoraCatalog(options: Pick<LoraCatalogOptions, 'fetchNames' | 'logger'> & Partial<LoraCatalogOptions>): LoraCatalog {
  const settings = { ...defaults, ...options };
  let cached: readonly string[] | undefined;
  let loadedAt = -Infinity;
  let inFlight: Promise<readonly string[] | undefined> | undefined;

  const load = async (signal?: AbortSignal) => {
    try {
      const names = await settings.fetchNames(signal);
      cached = [...new Set(names)].sort();
      loadedAt = settings.now();
    } catch (error) {
      settings.logger.warn({ err: error }, 'could not read the LoRA list from ComfyUI; keeping the last one');
    }
    return cached;
  };

  return {
    names: () => cached,
    has: (name) => (cached ? cached.includes(name) : undefined),
    refresh(signal) {
      if (settings.now() - loadedAt < settings.ttlMs) return Promise.resolve(cached);
      inFlight ??= load(signal).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}
