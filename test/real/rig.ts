import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A REAL ComfyUI (../shared/comfyui-rig) for `npm run test:real`. Minimal local version of the
 * shared contract `startRig({ version, port?, models?, stepSeconds?, preview? }) → { url, stop(), restart() }`;
 * the real-ComfyUI suite's own rig.ts replaces this file at merge.
 */

const run = promisify(execFile);
const RIG = process.env.COMFYUI_RIG ?? join(import.meta.dirname, '../../../shared/comfyui-rig');

export type RigOptions = {
  version: '0.3.65' | '0.8.0';
  /** Default: a port from RIG_PORT_BASE (18300) upwards. */
  port?: number;
  /** Files to create under models/, as "folder/file". */
  models?: readonly string[];
  stepSeconds?: number;
  /** ComfyUI's --preview-method; default auto. */
  preview?: string;
};
export type Rig = { url: string; stop(): Promise<void>; restart(): Promise<void> };

let nextPort = Number(process.env.RIG_PORT_BASE ?? 18300);

export async function startRig(options: RigOptions): Promise<Rig> {
  const port = options.port ?? nextPort++;
  const workdir = await mkdtemp(join(process.env.RIG_WORKDIR_BASE ?? '/tmp', 'owner-rig-'));
  const args = ['--version', options.version, '--port', String(port), '--workdir', workdir, '--step-seconds', String(options.stepSeconds ?? 0.05), '--preview', options.preview ?? 'auto'];
  if (options.models && options.models.length > 0) args.push('--models', options.models.join(','));
  const start = () => run(join(RIG, 'start'), args, { timeout: 300_000 });
  const stopServer = () => run(join(RIG, 'stop'), ['--workdir', workdir], { timeout: 60_000 }).then(() => undefined, () => undefined);
  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await stopServer();
      await rm(workdir, { recursive: true, force: true });
    },
    async restart() {
      await stopServer();
      await start();
    },
  };
}
