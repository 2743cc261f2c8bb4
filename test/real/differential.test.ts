import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComfyClient } from '../../src/comfy/index.ts';
import { bindUpscale, outputVideoRef } from '../../src/workflow/index.ts';
import { modelsFromPaths, startComfySimulator, type ComfySimulator, type SimulatedVersion } from '../../src/simulator/index.ts';
import { shapeDiff } from '../simulator/shape.ts';
import { collapseRepeats, converse, wanPrompt } from './conversation.ts';
import { loadProjectAssets, projectModelFiles } from './rig.ts';
import { realTargets } from './targets.ts';

/**
 * The same conversation with the simulator and with the real server, compared on what a
 * client sees: message kinds and their order, history entries, refusal bodies, the queue.
 * Every difference found here was fixed in src/simulator/ with a test in `npm test`.
 */

type Observed = Awaited<ReturnType<typeof observe>>;

/** `restart` makes both servers forget their cache first; without one (COMFYUI_URL) a warm-up run stands in. */
async function observe(url: string, restart: (() => Promise<void>) | undefined) {
  if (restart) await restart();
  const talk = await converse(url);
  try {
    const submit = async (graph: Record<string, unknown>, promptId = randomUUID()) => ({ promptId, answer: await talk.post('/prompt', { prompt: graph, prompt_id: promptId, client_id: talk.clientId }) });
    if (!restart) await talk.ended((await submit(await wanPrompt(url, { steps: 4, seed: 5 }))).promptId);
    // A fresh run, then the same graph with another seed (the loaders come from the cache).
    const first = await submit(await wanPrompt(url, { steps: 4, seed: Date.now() % 100_000 }));
    await talk.ended(first.promptId);
    const second = await submit(await wanPrompt(url, { steps: 4, seed: (Date.now() % 100_000) + 1 }));
    await talk.ended(second.promptId);
    // POST /free, then two more runs at once: which of them finds the loaders cached?
    const freed = await talk.post('/free', { unload_models: true, free_memory: true });
    const third = await submit(await wanPrompt(url, { steps: 4, seed: (Date.now() % 100_000) + 2 }));
    await talk.ended(third.promptId);
    const fourth = await submit(await wanPrompt(url, { steps: 4, seed: (Date.now() % 100_000) + 3 }));
    await talk.ended(fourth.promptId);
    const history = ((await talk.get(`/history/${first.promptId}`)) as Record<string, unknown>)[first.promptId] as Record<string, unknown>;

    // ⬆️: the upscale graph on the first run's video, read in place from where ComfyUI saved it (temp/: the bundled graphs do not save to output/).
    const video = (Object.values((history as { outputs: Record<string, { gifs?: Array<{ filename: string; subfolder: string; type?: string }> }> }).outputs).find((o) => o.gifs)?.gifs ?? [])[0];
    const upscaleGraph = bindUpscale((await loadProjectAssets()).workflows.upscale!, { video: outputVideoRef(video!), outputPrefix: 'diff/up' }).prompt;
    const upscale = await submit(upscaleGraph);
    await talk.ended(upscale.promptId);
    const upscaleHistory = ((await talk.get(`/history/${upscale.promptId}`)) as Record<string, unknown>)[upscale.promptId];
    const view = await fetch(`${url}/view?${new URLSearchParams({ filename: video!.filename, subfolder: video!.subfolder, type: video!.type ?? 'output' })}`);
    const viewed = { status: view.status, type: view.headers.get('content-type'), bytes: (await view.arrayBuffer()).byteLength > 0 };

    // Small answers: model folders, an unknown history entry, an interrupt of a prompt that is not running.
    const small = {
      models: await Promise.all(['unet_gguf', 'diffusion_models', 'text_encoders', 'vae', 'loras', 'upscale_models'].map((folder) => talk.get(`/models/${folder}`))),
      unknownFolder: (await fetch(`${url}/models/no_such_folder`)).status,
      unknownHistory: await talk.get(`/history/${randomUUID()}`),
      queueDeleteUnknown: await talk.post('/queue', { delete: [randomUUID()] }),
      interruptIdle: await talk.post('/interrupt', { prompt_id: randomUUID() }),
    };

    // Refusals, each a 400 with ComfyUI's own body.
    const refusals: Record<string, unknown> = {};
    const base = await wanPrompt(url, { steps: 4, seed: 1 });
    refusals.unknownLora = (await submit(await wanPrompt(url, { steps: 4, seed: 1, loraHigh: 'not_installed.safetensors' }))).answer;
    const tooFewSteps = structuredClone(base) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    for (const node of Object.values(tooFewSteps)) if (node.class_type === 'KSamplerAdvanced') node.inputs.steps = 0;
    refusals.belowMin = (await submit(tooFewSteps)).answer;
    const unknownClass = structuredClone(base) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    const someNode = Object.values(unknownClass).find((node) => node.class_type === 'WanImageToVideo')!;
    someNode.class_type = 'NoSuchNodeAnywhere';
    refusals.unknownClass = (await submit(unknownClass)).answer;
    const missingInput = structuredClone(base) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    delete Object.values(missingInput).find((node) => node.class_type === 'WanImageToVideo')!.inputs.width;
    refusals.missingInput = (await submit(missingInput)).answer;
    refusals.noOutputs = await talk.post('/prompt', { prompt: { '1': { class_type: 'LoadImage', inputs: { image: 'diff_start.png' } } } });
    refusals.notAGraph = await talk.post('/prompt', { prompt: 'nope' });

    // One running, one waiting: the queue, the waiting one deleted, the running one interrupted.
    const running = await submit(await wanPrompt(url, { steps: 20, seed: 11 }));
    const waiting = await submit(await wanPrompt(url, { steps: 20, seed: 12 }));
    await talk.started(running.promptId);
    const queue = await talk.get('/queue');
    const deleted = await talk.post('/queue', { delete: [waiting.promptId] });
    const interrupted = await talk.post('/interrupt', { prompt_id: running.promptId });
    await talk.ended(running.promptId);
    const interruptedHistory = ((await talk.get(`/history/${running.promptId}`)) as Record<string, Record<string, unknown>>)[running.promptId];
    const waitingHistory = await talk.get(`/history/${waiting.promptId}`);
    return {
      firstAnswer: first.answer,
      firstKinds: talk.kinds(first.promptId),
      secondKinds: talk.kinds(second.promptId),
      freed,
      afterFreeKinds: [talk.kinds(third.promptId), talk.kinds(fourth.promptId)],
      history,
      refusals,
      queue,
      deleted,
      interrupted,
      interruptedKinds: talk.kinds(running.promptId),
      interruptedHistory,
      waitingHistory,
      waitingKinds: talk.kinds(waiting.promptId),
      upscaleKinds: talk.kinds(upscale.promptId),
      upscaleGraph,
      upscaleHistory,
      viewed,
      small,
    };
  } finally {
    talk.close();
  }
}

/** The rig's model files, on the simulator's disk too (it lists them per folder as ComfyUI does). */
async function simModels() {
  return modelsFromPaths(await projectModelFiles());
}

for (const target of realTargets()) {
  describe(`the simulator and ${target.name} look the same to a client`, () => {
    let sim: ComfySimulator;
    let real: Observed;
    let simulated: Observed;
    beforeAll(async () => {
      const stats = await createComfyClient({ baseUrl: target.url }).systemStats();
      const version: SimulatedVersion = stats.system.comfyui_version?.startsWith('0.3') ? '0.3.65' : '0.8.0';
      sim = await startComfySimulator({ version, models: await simModels(), knobs: { previews: true, secondsPerStep: 0.05 } });
      const rig = target.rig;
      real = await observe(target.url, rig ? () => rig.restart() : undefined);
      simulated = await observe(sim.url, rig ? () => sim.restart() : undefined);
    });
    afterAll(() => sim?.close());

    it('a run: the same message kinds in the same order, fresh and cached', () => {
      expect(simulated.firstKinds).toEqual(real.firstKinds);
      expect(simulated.secondKinds).toEqual(real.secondKinds);
      expect(shapeDiff(real.firstAnswer, simulated.firstAnswer)).toEqual([]);
    });

    it('⬆️: the upscale graph runs with the same messages and history, and /view serves the video alike', () => {
      // The rig's stand-in ImageUpscaleWithModel reports no progress; ComfyUI's own (tiled) one does, as the simulator.
      const upscaleNode = Object.entries(real.upscaleGraph).find(([, node]) => node.class_type === 'ImageUpscaleWithModel')![0];
      const withoutStandIn = (kinds: string[]) => {
        let current = '';
        return collapseRepeats(kinds.filter((kind) => {
          if (kind.startsWith('executing:')) current = kind;
          return !(current === `executing:${upscaleNode}` && kind === 'progress');
        }));
      };
      expect(withoutStandIn(simulated.upscaleKinds)).toEqual(withoutStandIn(real.upscaleKinds));
      expect(real.upscaleHistory).toBeDefined();
      expect(shapeDiff(real.upscaleHistory, simulated.upscaleHistory)).toEqual([]);
      expect(simulated.viewed).toEqual(real.viewed);
    });

    it('model folders, an unknown history entry, deleting an unknown prompt, interrupting when idle', () => {
      expect(simulated.small).toEqual(real.small);
    });

    it('POST /free empties the cache when ComfyUI gets to it: after the next prompt, not before', () => {
      expect(simulated.freed).toEqual(real.freed);
      expect(simulated.afterFreeKinds).toEqual(real.afterFreeKinds);
    });

    it('a history entry of the same shape', () => {
      expect(real.history).toBeDefined();
      expect(shapeDiff(real.history, simulated.history)).toEqual([]);
      const kinds = (entry: unknown) => ((entry as { status: { messages: Array<[string]> } }).status.messages ?? []).map(([kind]) => kind);
      expect(kinds(simulated.history)).toEqual(kinds(real.history));
    });

    it('refusals: the same status and body', () => {
      for (const [name, answer] of Object.entries(real.refusals)) expect(simulated.refusals[name], name).toEqual(answer);
    });

    it('the queue, a deleted waiting prompt and an interrupted running one', () => {
      expect(shapeDiff(real.queue, simulated.queue)).toEqual([]);
      expect(simulated.deleted).toEqual(real.deleted);
      expect(simulated.interrupted).toEqual(real.interrupted);
      expect(simulated.interruptedKinds).toEqual(real.interruptedKinds);
      expect(real.interruptedHistory).toBeDefined();
      expect(shapeDiff(real.interruptedHistory, simulated.interruptedHistory)).toEqual([]);
      const kinds = (entry: unknown) => ((entry as { status: { messages: Array<[string]> } }).status.messages ?? []).map(([kind]) => kind);
      expect(kinds(simulated.interruptedHistory)).toEqual(kinds(real.interruptedHistory));
      expect(simulated.waitingHistory).toEqual(real.waitingHistory);
      expect(simulated.waitingKinds).toEqual(real.waitingKinds);
    });
  });
}
