import { resolve } from 'node:path';
import { createComfyClient } from '../../src/comfy/index.ts';
import { bindWorkflow, loadPresets, loadWorkflows, preferredModels, resolveJobParams } from '../../src/workflow/index.ts';
import { until } from './clock.ts';
import { smallPng } from './media.ts';
import { benchJobOptions } from './scenario.ts';

/**
 * The simulator's own floor: `count` prompts of the bench's job shape POSTed straight to
 * /prompt back to back (no worker, no Redis), so the next is always in its queue.
 * Returns the prompt ids; read their gaps from the simulator's timeline.
 */
export async function queueDirectly(url: string, count: number, seedBase = 5_000_000): Promise<Set<string>> {
  const presets = await loadPresets(resolve('presets'));
  const workflows = await loadWorkflows(resolve('workflows'), presets);
  const preset = presets[benchJobOptions.preset]!;
  const workflow = workflows.i2v[preset.workflow]!;
  const client = createComfyClient({ baseUrl: url });
  const uploaded = await client.uploadImage({ data: await smallPng(), filename: 'floor.png', subfolder: 'bench', overwrite: true });
  const image = `${uploaded.subfolder}/${uploaded.name}`;
  const ids = new Set<string>();
  for (let i = 0; i < count; i++) {
    const params = resolveJobParams(preset, { ...benchJobOptions, aspect: 'auto', seed: seedBase + i }, { width: 640, height: 384 }, { computeDevice: 'cuda:0', allocations: 'cuda:0,0.25gb;cuda:1,8gb;cpu,*' });
    if (!params.ok) throw params.error;
    const bound = bindWorkflow(workflow, { ...params.value, ...preferredModels(preset.models), image, outputPrefix: `bench/floor-${i}` });
    const promptId = `floor-${seedBase}-${i}`;
    await client.submitPrompt({ prompt: bound.prompt, promptId });
    ids.add(promptId);
  }
  const history = async () => (await Promise.all([...ids].map((id) => client.getHistory(id)))).every((entry) => entry !== undefined);
  await until(history, 'the floor prompts to finish', 120_000, 50);
  return ids;
}
