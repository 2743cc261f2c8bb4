import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Catalogue } from '../../src/workflow/checkGraph.ts';
import { loadPresets } from '../../src/workflow/loadPresets.ts';
import { loadWorkflow } from '../../src/workflow/loadWorkflow.ts';

/** The repository's own workflows and presets, as the worker loads them. */
export const WORKFLOW_DIR = fileURLToPath(new URL('../../workflows', import.meta.url));
export const PRESET_DIR = fileURLToPath(new URL('../../presets', import.meta.url));

export const loadI2v = () => loadWorkflow(WORKFLOW_DIR, 'wan22_i2v_distorch2');
export const loadUpscale = () => loadWorkflow(WORKFLOW_DIR, 'upscale_video');
export const loadRepoPresets = () => loadPresets(PRESET_DIR);

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

/** Real ComfyUI 0.8.0 node catalogue (recorded), plus the VHS loaders the recording lacks. */
export function recordedCatalogue(): Catalogue {
  const { $comment: _, ...authored } = fixture('object_info.vhs-loaders.authored.json');
  return { ...(fixture('object_info.v0.8.0.json') as Catalogue), ...(authored as Catalogue) };
}
