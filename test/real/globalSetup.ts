import type { TestProject } from 'vitest/node';
import { createComfyClient } from '../../src/comfy/index.ts';
import { RIG_VERSIONS, rigAvailable, rigDir, startRig, type Rig, type RigVersion } from './rig.ts';
import type { RealTarget } from './targets.ts';

/**
 * Starts one rig per ComfyUI version for the whole run and stops them at the end, or, with
 * COMFYUI_URL set, uses that server alone (tests that restart it or change its model
 * files are skipped then: they need a server of their own). RIG_VERSIONS=0.8.0 narrows.
 */
export default async function setup(project: TestProject) {
  const external = process.env.COMFYUI_URL?.split(',')[0]?.trim();
  if (external) {
    const stats = await createComfyClient({ baseUrl: external }).systemStats();
    project.provide('realTargets', [{ name: `ComfyUI ${stats.system.comfyui_version ?? '?'} at ${external}`, url: external }]);
    return;
  }
  if (!rigAvailable()) throw new Error(`npm run test:real needs the ComfyUI rig at ${rigDir()} (or COMFYUI_RIG, or COMFYUI_URL)`);
  const versions = (process.env.RIG_VERSIONS?.split(',') ?? RIG_VERSIONS).map((v) => v.trim()) as RigVersion[];
  const rigs: Rig[] = [];
  const stopAll = async () => {
    for (const rig of rigs.splice(0)) await rig.stop().catch((error: unknown) => console.error(`stopping ComfyUI ${rig.version}: ${String(error)}`));
  };
  try {
    // One after the other: a first-ever start installs python3-torch, which two starts would race for.
    for (const version of versions) rigs.push(await startRig({ version }));
  } catch (error) {
    await stopAll();
    throw error;
  }
  const targets: RealTarget[] = rigs.map((rig) => {
    const { restart: _r, setModels: _s, log: _l, logSize: _z, stop: _t, ...info } = rig;
    return { name: `ComfyUI ${rig.version}`, url: rig.url, rig: info };
  });
  project.provide('realTargets', targets);
  return stopAll;
}
