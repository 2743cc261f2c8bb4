import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { silentLogger } from '../log.ts';
import type { CatalogueContext } from './catalogue.ts';
import { createEngine } from './engine.ts';
import { listInput, resolveAnnotated } from './files.ts';
import { features, route, sendReply } from './http.ts';
import type { Dirs } from './nodes.ts';
import { createSocketHub } from './sockets.ts';
import {
  defaultKnobs,
  defaultModels,
  defaultOptions,
  nowMs,
  type ReceivedRequest,
  type SimulatorKnobs,
  type SimulatorOptions,
  type TimelineEntry,
} from './types.ts';

export type { SimulatorKnobs, SimulatorOptions, TimelineEntry, ReceivedRequest, SimulatedVersion } from './types.ts';
export { defaultKnobs, defaultModels, OWNER_MODEL_PATHS } from './types.ts';
export { listModels, modelsFromPaths } from './modelFolders.ts';

/** A ComfyUI that runs anywhere: same routes, messages, errors and real output files. */
export type ComfySimulator = {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** Mutable at run time; changes apply from the next check. */
  readonly knobs: SimulatorKnobs;
  readonly dataDir: string;
  /** Replace the files in one models/ folder on disk (what /models and the combos list follows). */
  setModels(folder: string, files: string[]): void;
  /** Like a process restart: drop sockets, forget queue, history and cache; keep files and port. */
  restart(): Promise<void>;
  close(): Promise<void>;
  /** Per prompt: received, started, ended (ms, performance clock). */
  readonly timeline: TimelineEntry[];
  /** Every HTTP request, in order. */
  readonly received: ReceivedRequest[];
};

export async function startComfySimulator(options: Partial<SimulatorOptions> = {}): Promise<ComfySimulator> {
  const opts = { ...defaultOptions, models: defaultModels(), ...options };
  const logger = opts.logger ?? silentLogger;
  const knobs: SimulatorKnobs = { ...defaultKnobs, ...opts.knobs };
  const ownsDataDir = opts.dataDir === undefined;
  const dataDir = resolve(opts.dataDir ?? mkdtempSync(join(tmpdir(), 'comfy-sim-')));
  const dirs: Dirs = { input: join(dataDir, 'input'), output: join(dataDir, 'output'), temp: join(dataDir, 'temp') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  // A stock ComfyUI ships this file in input/.
  const example = join(dirs.input, 'example.png');
  if (!existsSync(example)) {
    writeFileSync(example, await sharp({ create: { width: 64, height: 64, channels: 3, background: '#7a8' } }).png().toBuffer());
  }
  const models: Record<string, string[]> = structuredClone(opts.models);
  const timeline: TimelineEntry[] = [];
  const received: ReceivedRequest[] = [];

  const catalogue = (): CatalogueContext => {
    const input = listInput(dirs);
    return {
      version: opts.version,
      models,
      devices: opts.devices,
      missingClasses: knobs.missingNodeClasses ?? [],
      inputImages: input.images,
      inputVideos: input.videos,
    };
  };

  const engineRef: { current?: ReturnType<typeof createEngine> } = {};
  const hub = createSocketHub({
    onConnect: (sid) => ({
      queueRemaining: engineRef.current?.queueRemaining() ?? 0,
      runningNode: engineRef.current?.runningNodeFor(sid),
    }),
    features: () => (knobs.oldServer ? undefined : features(opts.version)),
  });
  const engine = createEngine({
    hub,
    knobs,
    catalogue,
    dirs,
    tools: { ffmpegPath: opts.ffmpegPath, ffprobePath: opts.ffprobePath, ...(opts.reuseRenders ? { renders: new Map() } : {}) },
    timeline,
    logger,
    resolveAnnotated: (annotated, type) => resolveAnnotated(dirs, annotated, type),
  });
  engineRef.current = engine;

  let port = 0;
  const httpDeps = { engine, knobs, version: opts.version, dirs, models: () => models, devices: opts.devices, catalogue, port: () => port };
  const server: Server = createServer((req, res) => {
    received.push({ method: req.method ?? 'GET', url: req.url ?? '/', at: nowMs() });
    route(httpDeps, req)
      .then((reply) => (typeof reply === 'function' ? reply(res) : sendReply(res, reply)))
      .catch((error: unknown) => {
        logger.error({ err: error, url: req.url }, 'simulator route failed');
        if (!res.headersSent) sendReply(res, { status: 500, text: '500 Internal Server Error\n\nServer got itself in trouble' });
        else res.destroy();
      });
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/ws' || path === '/api/ws') hub.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => done());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host}:${port}`;
  logger.info({ url, dataDir, version: opts.version }, 'ComfyUI simulator listening');

  return {
    url,
    port,
    knobs,
    dataDir,
    timeline,
    received,
    setModels(folder, files) {
      models[folder] = [...files];
    },
    async restart() {
      engine.reset();
      hub.dropAll();
      server.closeAllConnections();
    },
    async close() {
      await engine.close();
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      // A temporary data dir dies with the simulator; pass dataDir to keep the files.
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
