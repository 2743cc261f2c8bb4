import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createComfyClient, type ComfyClient } from '../../src/comfy/client.ts';
import { ComfyHttpError, ComfyTransientError, ComfyValidationError } from '../../src/comfy/errors.ts';
import { startComfySimulator } from '../../src/simulator/index.ts';
import { startImage, wanGraph } from './wanGraph.ts';

type Simulator = Awaited<ReturnType<typeof startComfySimulator>>;

let sim: Simulator;
let client: ComfyClient;
let image: string;
let counter = 0;
const nextId = () => `client-test-${process.pid}-${(counter += 1)}`;

beforeAll(async () => {
  sim = await startComfySimulator();
  client = createComfyClient({ baseUrl: sim.url, clientId: 'client-tests' });
  const uploaded = await client.uploadImage({ data: await startImage(), filename: 'start.png', subfolder: 'jobs', overwrite: true });
  image = `${uploaded.subfolder}/${uploaded.name}`;
});

afterAll(async () => {
  await sim.close();
});

afterEach(() => {
  sim.knobs.failPromptWith500 = false;
  sim.knobs.unknownNodeErrorStyle = 'invalid_prompt';
  sim.knobs.missingNodeClasses = undefined;
});

describe('the ComfyUI client against the simulator', () => {
  it('reads system stats, features, model folders and node info', async () => {
    const stats = await client.systemStats();
    expect(stats.system.comfyui_version).toBeDefined();
    expect(await client.features()).toMatchObject({ supports_preview_metadata: true });
    expect(await client.models()).toContain('loras');
    expect(await client.models('unet_gguf')).toContain('wan2.2_i2v_high_noise_14B_Q6_K.gguf');
    // models/clip is listed under text_encoders, as real ComfyUI lists it; /models/clip is not a folder.
    expect(await client.models('text_encoders')).toEqual(['umt5-xxl-enc-bf16-uncensored-CONVERTED.safetensors']);
    await expect(client.models('clip')).rejects.toThrow(/404/);
    const info = await client.objectInfo('KSamplerAdvanced');
    expect(info['KSamplerAdvanced']?.input?.required).toHaveProperty('noise_seed');
    expect(await client.objectInfo('NoSuchNode')).toEqual({});
  });

  it('accepts node info whose display_name is null, as real servers send for V3 nodes', async () => {
    const info = await client.objectInfo('WanImageToVideo');
    expect(info['WanImageToVideo']?.display_name).toBeNull();
    expect(info['WanImageToVideo']?.input?.required).toHaveProperty('length');
  });

  it('answers an unknown model folder with ComfyHttpError[404]', async () => {
    const error = await client.models('unet').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ComfyHttpError);
    expect(error).toMatchObject({ name: 'ComfyHttpError[404]', status: 404, method: 'GET' });
    expect((error as ComfyHttpError).url).toContain('/models/unet');
  });

  it('uploads an image and streams it back from /view', async () => {
    const data = await startImage();
    const uploaded = await client.uploadImage({ data, filename: 'roundtrip.png', overwrite: true });
    expect(uploaded).toEqual({ name: 'roundtrip.png', subfolder: '', type: 'input' });
    const view = await client.view({ filename: uploaded.name, subfolder: '', type: 'input' });
    expect(view.contentType).toBe('image/png');
    expect(view.contentLength).toBe(data.length);
    const chunks: Buffer[] = [];
    for await (const chunk of view.stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(data);
    await expect(client.view({ filename: 'missing.png', type: 'input' })).rejects.toMatchObject({ status: 404 });
  });

  it('submits with our prompt id, lists, deletes and clears the queue, and keeps history', async () => {
    sim.knobs.secondsPerStep = 0.2;
    try {
      const ids = [nextId(), nextId(), nextId()];
      for (const [index, promptId] of ids.entries()) {
        const submitted = await client.submitPrompt({ prompt: wanGraph({ image, seed: 1000 + index }), promptId });
        expect(submitted.promptId).toBe(promptId);
      }
      const queue = await client.getQueue();
      const listed = [...queue.running, ...queue.pending].map((item) => item.promptId);
      expect(listed).toEqual(expect.arrayContaining(ids));
      expect(queue.pending.map((item) => item.number)).toEqual([...queue.pending.map((item) => item.number)].sort((a, b) => a - b));
      expect(queue.pending[0]).toMatchObject({ clientId: 'client-tests', outputs: ['18'] });
      await client.deleteQueued([ids[2] as string]);
      expect((await client.getQueue()).pending.map((item) => item.promptId)).not.toContain(ids[2]);
      await client.clearQueue();
      expect((await client.getQueue()).pending).toEqual([]);
      await client.interrupt(ids[0]);
      await client.interrupt();
      await client.free({ unloadModels: true, freeMemory: true });
      await expect.poll(async () => (await client.getHistory(ids[0] as string))?.status?.statusStr, { interval: 20, timeout: 10_000 }).toBe('error');
      expect(await client.getHistory(ids[2] as string)).toBeUndefined();
      const recent = await client.listHistory({ maxItems: 5 });
      expect([...recent.keys()]).toContain(ids[0]);
      await client.deleteHistory([ids[0] as string]);
      expect(await client.getHistory(ids[0] as string)).toBeUndefined();
    } finally {
      sim.knobs.secondsPerStep = 0;
    }
  });

  it('turns a refused workflow into worded problems', async () => {
    const graph = wanGraph({ image: 'jobs/not-there.png' });
    graph['5'] = { class_type: 'LoraLoaderModelOnly', _meta: { title: 'LoRA high' }, inputs: { model: ['1', 0], lora_name: 'x.safetensors', strength_model: 1 } };
    graph['7'] = { ...graph['7']!, inputs: { model: ['5', 0], shift: 5.0 } };
    const error = await client.submitPrompt({ prompt: graph, promptId: nextId() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ComfyValidationError);
    const messages = (error as ComfyValidationError).problems.map((problem) => problem.message);
    expect(messages).toContain("LoRA high: lora_name 'x.safetensors' is not installed (loras folder); installed: high_noise/orbit_camera_high.safetensors, low_noise/orbit_camera_low.safetensors, style/watercolor_wan22.safetensors, … 2 more");
    expect(messages).toContain("Start image: image 'jobs/not-there.png' is not in ComfyUI's input folder");
    expect((error as ComfyValidationError).errorType).toBe('prompt_outputs_failed_validation');
  });

  it.each(['invalid_prompt', 'missing_node_type'] as const)('names the pack to install for a missing node type (%s style)', async (style) => {
    sim.knobs.unknownNodeErrorStyle = style;
    sim.knobs.missingNodeClasses = ['UnetLoaderGGUFDisTorch2MultiGPU'];
    const error = await client.submitPrompt({ prompt: wanGraph({ image }), promptId: nextId() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ComfyValidationError);
    expect((error as ComfyValidationError).errorType).toBe(style);
    expect((error as ComfyValidationError).problems[0]?.message).toContain(
      'node type UnetLoaderGGUFDisTorch2MultiGPU is missing: install ComfyUI-MultiGPU and ComfyUI-GGUF',
    );
  });

  it('treats a 500 from /prompt as transient', async () => {
    sim.knobs.failPromptWith500 = true;
    const error = await client.submitPrompt({ prompt: wanGraph({ image }), promptId: nextId() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ComfyTransientError);
    expect(error).toMatchObject({ code: 'server_error', status: 500, retryable: true });
  });

  it('treats a refused connection as transient', async () => {
    const port = await freePort();
    const offline = createComfyClient({ baseUrl: `http://127.0.0.1:${port}` });
    const error = await offline.getQueue().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ComfyTransientError);
    expect(error).toMatchObject({ code: 'refused', retryable: true });
  });

  it('passes a caller abort through untouched', async () => {
    const controller = new AbortController();
    controller.abort(new Error('job cancelled'));
    await expect(client.getQueue(controller.signal)).rejects.toThrow('job cancelled');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
