import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bindingSchema } from '../../src/workflow/bindingSchema.ts';
import { checkBinding } from '../../src/workflow/checkBinding.ts';
import type { ApiGraph } from '../../src/workflow/graph.ts';
import { loadWorkflow } from '../../src/workflow/loadWorkflow.ts';
import { loadWorkflows } from '../../src/workflow/loadWorkflows.ts';
import { loadRepoPresets, WORKFLOW_DIR } from './support.ts';

const NAME = 'wan22_i2v_distorch2';
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A copy of the shipped workflow folder, with the graph and binding edited. */
async function ownersFolder(edit: (graph: ApiGraph, binding: Record<string, any>) => void): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oelala-workflows-'));
  dirs.push(dir);
  await cp(WORKFLOW_DIR, dir, { recursive: true });
  const graph = JSON.parse(await readFile(join(dir, `${NAME}.json`), 'utf8')) as ApiGraph;
  const binding = JSON.parse(await readFile(join(dir, `${NAME}.binding.json`), 'utf8')) as Record<string, any>;
  edit(graph, binding);
  await writeFile(join(dir, `${NAME}.json`), JSON.stringify(graph));
  await writeFile(join(dir, `${NAME}.binding.json`), JSON.stringify(binding));
  return dir;
}
const loadError = (dir: string) => loadWorkflow(dir, NAME).then(() => 'loaded', (error: Error) => error.message);

describe('the shipped workflows load', () => {
  it.each([NAME, 'upscale_video'])('GIVEN %s THEN graph and binding agree', async (name) => {
    const workflow = await loadWorkflow(WORKFLOW_DIR, name);
    expect(checkBinding(workflow.graph, workflow.binding)).toEqual([]);
  });
  it('GIVEN the i2v graph THEN every node has a title and numbers and booleans are real JSON', async () => {
    const { graph } = await loadWorkflow(WORKFLOW_DIR, NAME);
    for (const node of Object.values(graph)) {
      expect(node._meta?.title).toBeTruthy();
      for (const value of Object.values(node.inputs)) expect(['true', 'false'].includes(String(value)) && typeof value !== 'boolean').toBe(false);
    }
  });
});

describe('loading every workflow the presets use', () => {
  it('GIVEN the shipped presets THEN the i2v graph by name and the upscale graph', async () => {
    const workflows = await loadWorkflows(WORKFLOW_DIR, await loadRepoPresets());
    expect(Object.keys(workflows.i2v)).toEqual([NAME]);
    expect(workflows.upscale?.binding.kind).toBe('upscale');
  });
  it('GIVEN a preset naming a workflow that is not there THEN the message names the file', async () => {
    const presets = await loadRepoPresets();
    presets.fast = { ...presets.fast!, workflow: 'my_own_graph' };
    await expect(loadWorkflows(WORKFLOW_DIR, presets)).rejects.toThrow('my_own_graph.json');
  });
});

describe('an owner can drop in their own graph', () => {
  it('GIVEN nodes renumbered THEN the binding still finds them by title', async () => {
    const dir = await ownersFolder((graph) => {
      const renumbered = Object.fromEntries(Object.entries(graph).map(([id, node]) => [`n${id}`, node]));
      for (const node of Object.values(renumbered)) {
        for (const [input, value] of Object.entries(node.inputs)) if (Array.isArray(value)) node.inputs[input] = [`n${value[0]}`, value[1]];
      }
      for (const id of Object.keys(graph)) delete graph[id];
      Object.assign(graph, renumbered);
    });
    expect(await loadError(dir)).toBe('loaded');
  });
});

describe('a binding that does not fit its graph is refused with every problem named', () => {
  it('GIVEN a misspelt input and a renamed node THEN one message names the file, node and input of each', async () => {
    const dir = await ownersFolder((graph, binding) => {
      binding.params.cfg[1].input = 'cfg_scale';
      graph['13']!._meta = { title: 'Input picture' };
    });
    const message = await loadError(dir);
    expect(message).toContain(`${join(dir, `${NAME}.binding.json`)} does not fit ${join(dir, `${NAME}.json`)}:`);
    expect(message).toContain('params.cfg[1]: node #16 "Low-noise pass" (KSamplerAdvanced) has no input "cfg_scale"');
    expect(message).toContain('classes."Start image": no node has id or title "Start image"');
    expect(message).toContain('params.image[0]: no node has id or title "Start image"');
  });
  it('GIVEN a node of another class than the binding expects THEN says which class it is', async () => {
    const dir = await ownersFolder((graph) => {
      graph['1']!.class_type = 'UNETLoaderDisTorch2MultiGPU';
    });
    expect(await loadError(dir)).toContain('classes."UNet high noise": node #1 "UNet high noise" (UNETLoaderDisTorch2MultiGPU) is a UNETLoaderDisTorch2MultiGPU, the binding expects a UnetLoaderGGUFAdvancedDisTorch2MultiGPU or a UnetLoaderGGUFDisTorch2MultiGPU');
  });
  it('GIVEN two nodes with the same title THEN the title is called ambiguous', async () => {
    const dir = await ownersFolder((graph) => {
      graph['12']!._meta = { title: 'Positive prompt' };
    });
    expect(await loadError(dir)).toContain('the title "Positive prompt" names 2 nodes (#11, #12)');
  });
  it('GIVEN a parameter bound onto a link THEN refused', async () => {
    const dir = await ownersFolder((_graph, binding) => {
      binding.params.vae[0].input = 'model';
      binding.params.vae[0].node = 'Shift high';
    });
    expect(await loadError(dir)).toContain('params.vae[0]: input "model" of node #7 "Shift high" (ModelSamplingSD3) is a link');
  });
  it('GIVEN an optional node whose pass-through is a value THEN refused, since it could not be wired around', async () => {
    const dir = await ownersFolder((_graph, binding) => {
      binding.optional[0].passThrough = 'strength_model';
    });
    expect(await loadError(dir)).toContain('optional[0]: input "strength_model" of node #5 "LoRA high" (LoraLoaderModelOnly) must be a link');
  });
  it('GIVEN the seed is not bound THEN refused as a required parameter', async () => {
    const dir = await ownersFolder((_graph, binding) => {
      delete binding.params.seed;
    });
    expect(await loadError(dir)).toContain("params.seed: a i2v workflow must bind it");
  });
  it('GIVEN an unknown stage or parameter THEN the binding file itself is invalid', async () => {
    const dir = await ownersFolder((_graph, binding) => {
      binding.stages.Decode = 'rendering';
      binding.params.colour = [{ node: 'Decode', input: 'samples' }];
    });
    const message = await loadError(dir);
    expect(message).toContain('is not a valid binding');
    expect(message).toContain('stages.Decode');
  });
  it('GIVEN a graph exported in the UI format THEN says to use Save (API)', async () => {
    const dir = await ownersFolder(() => {});
    await writeFile(join(dir, `${NAME}.json`), JSON.stringify({ nodes: [], links: [] }));
    expect(await loadError(dir)).toContain('Save (API)');
  });
  it('GIVEN a missing file THEN names it', async () => {
    expect(await loadWorkflow(WORKFLOW_DIR, 'nope').catch((error: Error) => error.message)).toContain('Cannot read workflow file');
  });
});

describe('the binding schema', () => {
  it('GIVEN the shipped binding THEN it parses', async () => {
    const raw = JSON.parse(await readFile(join(WORKFLOW_DIR, `${NAME}.binding.json`), 'utf8'));
    expect(bindingSchema.safeParse(raw).success).toBe(true);
  });
});
