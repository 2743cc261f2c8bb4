import { parseArgs } from 'node:util';
import pino from 'pino';
import { createLogger } from '../log.ts';
import { defaultModels, modelsFromPaths, startComfySimulator } from './index.ts';

/** `npm run simulator -- --port 8188 [--seconds-per-step 0.5] [--previews] [--version 0.3.65] [--data-dir DIR] [--models folder/file,…]` */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8188' },
    host: { type: 'string', default: '127.0.0.1' },
    'seconds-per-step': { type: 'string' },
    'seconds-per-frame': { type: 'string' },
    previews: { type: 'boolean', default: false },
    'old-server': { type: 'boolean', default: false },
    version: { type: 'string', default: '0.8.0' },
    'data-dir': { type: 'string' },
    /** Model files on disk, as the rig's --models: "diffusion_models/a.gguf,clip/b.safetensors" (default: the owner's box). */
    models: { type: 'string' },
  },
});

const version = values.version === '0.3.65' ? '0.3.65' : '0.8.0';
const sim = await startComfySimulator({
  port: Number(values.port),
  host: values.host,
  version,
  dataDir: values['data-dir'],
  models: values.models === undefined ? defaultModels() : modelsFromPaths(values.models.split(',').filter(Boolean)),
  // Logs go to stderr so stdout carries only the URL, for scripts to read.
  logger: createLogger({ level: process.env.LOG_LEVEL ?? 'info', destination: pino.destination(2) }),
  knobs: {
    ...(values['seconds-per-step'] === undefined ? {} : { secondsPerStep: Number(values['seconds-per-step']) }),
    ...(values['seconds-per-frame'] === undefined ? {} : { secondsPerFrame: Number(values['seconds-per-frame']) }),
    previews: values.previews,
    oldServer: values['old-server'],
  },
});
console.log(sim.url);
console.error(`ComfyUI ${version} simulator at ${sim.url} (data in ${sim.dataDir}); Ctrl-C to stop`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    void sim.close().then(() => process.exit(0));
  });
}
