import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { counts } from '../queue/readJobs.ts';
import type { QueueContext } from '../queue/context.ts';
import { startHealthServer, type HealthServer, type ReadinessCheck } from './healthServer.ts';
import { listLiveJobs } from './liveJobs.ts';
import { addMetricsSource, isUsable, type InstanceSource } from './metrics.ts';
import { startRetention, type RetentionSweeper } from './retention.ts';
import { videoLinksFromConfig } from './videoLinks.ts';

/**
 * What every long-running process (bot, worker, all-in-one) runs besides its work: the
 * health server when METRICS_PORT is set, the metrics sources, and the retention sweep.
 * Started before the bot and worker, so a taken port stops the process before it logs in;
 * `attach` then tells it what readiness means for this process.
 */

export type OpsParts = {
  queue: QueueContext;
  /** The bot's gateway (discord.js Client fits). */
  gateway?: { isReady(): boolean } | undefined;
  /** The worker's instances (WorkerHandle fits). */
  worker?: { instanceStatus: InstanceSource } | undefined;
};

export type Ops = {
  server: HealthServer | undefined;
  attach(parts: OpsParts): void;
  close(): Promise<void>;
};

export async function startOps(options: { config: Config; logger: Logger; port?: number }): Promise<Ops> {
  const { config } = options;
  const logger = options.logger.child({ role: 'ops' });
  const port = options.port ?? config.METRICS_PORT;
  if (config.PUBLIC_BASE_URL && port === undefined) {
    throw new Error('PUBLIC_BASE_URL is set but METRICS_PORT is not: the video links are served on METRICS_PORT, so set both (or empty PUBLIC_BASE_URL)');
  }
  let checks: ReadinessCheck[] = [{ name: 'started', check: async () => ({ ok: false, detail: 'still starting' }) }];
  const server = port === undefined ? undefined : await startHealthServer({ host: config.METRICS_HOST, port, logger, readiness: () => checks, videoLinks: videoLinksFromConfig(config) });
  const detach: Array<() => void> = [];
  let sweeper: RetentionSweeper | undefined;

  return {
    server,
    attach(parts) {
      const next: ReadinessCheck[] = [{ name: 'redis', check: async () => ({ ok: (await parts.queue.redis.ping()) === 'PONG' }) }];
      const gateway = parts.gateway;
      if (gateway) next.push({ name: 'discord_gateway', check: async () => (gateway.isReady() ? { ok: true } : { ok: false, detail: 'not connected to the Discord gateway' }) });
      const worker = parts.worker;
      if (worker) {
        next.push({
          name: 'comfyui',
          check: async () => {
            const instances = worker.instanceStatus();
            const usable = instances.filter(isUsable).length;
            return { ok: usable > 0, detail: `${usable} of ${instances.length} ComfyUI instances usable` };
          },
        });
      }
      checks = next;
      detach.push(addMetricsSource({ queue: () => counts(parts.queue), ...(worker ? { instances: worker.instanceStatus } : {}) }));
      sweeper ??= startRetention({
        dataDir: config.DATA_DIR,
        retentionMs: config.RETENTION,
        intervalMs: config.RETENTION_SWEEP_INTERVAL,
        liveJobs: () => listLiveJobs(parts.queue),
        logger,
      });
    },
    async close() {
      for (const undo of detach.splice(0)) undo();
      await sweeper?.close();
      await server?.close();
    },
  };
}
