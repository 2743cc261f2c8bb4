import { beforeEach, inject } from 'vitest';
import { attachRig, type Rig, type RigInfo } from './rig.ts';

/** One ComfyUI the real suite runs against: a rig we started (restartable), or COMFYUI_URL's. */
export type RealTarget = { name: string; url: string; rig?: RigInfo };

declare module 'vitest' {
  export interface ProvidedContext {
    realTargets: RealTarget[];
  }
}

export type Target = { name: string; url: string; rig: Rig | undefined };

/** The servers of this run (from test/real/globalSetup.ts), each with a rig handle when it is ours. */
export function realTargets(): Target[] {
  return inject('realTargets').map((target) => ({ name: target.name, url: target.url, rig: target.rig ? attachRig(target.rig) : undefined }));
}

/** Print the server's log of a failed test (only what it wrote during that test). */
export function showLogOnFailure(target: Target): void {
  beforeEach((context) => {
    const rig = target.rig;
    if (!rig) return;
    const mark = rig.logSize();
    context.onTestFailed(() => {
      const log = rig.log(mark).split('\n').slice(-80).join('\n');
      console.error(`--- ${target.name} log during "${context.task.name}" (${rig.workdir}/comfyui.log) ---\n${log}`);
    });
  });
}
