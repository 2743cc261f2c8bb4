import { loadWorkflow } from './loadWorkflow.ts';
import type { PreflightWorkflows } from './preflight.ts';
import type { Presets } from './presetSchema.ts';

/** The upscale graph shipped in workflows/. */
export const UPSCALE_WORKFLOW = 'upscale_video';

/**
 * Every i2v workflow the presets name, plus the upscale graph, each checked against its
 * binding. Throws one message listing the problems of every file, like loadPresets.
 */
export async function loadWorkflows(dir: string, presets: Presets, upscaleName: string = UPSCALE_WORKFLOW): Promise<PreflightWorkflows> {
  const names = [...new Set(Object.values(presets).map((preset) => preset.workflow))].sort();
  const results = await Promise.allSettled([...names, upscaleName].map((name) => loadWorkflow(dir, name)));
  const problems = results.flatMap((result) => (result.status === 'rejected' ? [String((result.reason as Error).message ?? result.reason)] : []));
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const loaded = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const i2v = Object.fromEntries(loaded.filter((workflow) => workflow.binding.kind === 'i2v').map((workflow) => [workflow.name, workflow]));
  const upscale = loaded.find((workflow) => workflow.name === upscaleName);
  for (const name of names) {
    if (!i2v[name]) problems.push(`${name}: a preset uses it as an i2v workflow, but its binding says kind "${loaded.find((w) => w.name === name)?.binding.kind}"`);
  }
  if (upscale && upscale.binding.kind !== 'upscale') problems.push(`${upscaleName}: its binding says kind "${upscale.binding.kind}", expected "upscale"`);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return { i2v, upscale };
}
