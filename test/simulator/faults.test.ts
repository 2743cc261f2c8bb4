import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startComfySimulator, type ComfySimulator } from '../../src/simulator/index.ts';
import { defaultWan, getJson, listen, post, submit, uploadStart, wanGraph } from './helpers.ts';

type History = Record<string, { status: { status_str: string; completed: boolean; messages: Array<[string, Record<string, unknown>]> } }>;
type Queue = { queue_running: unknown[][]; queue_pending: unknown[][] };

describe('the simulator reproduces faults and control requests', () => {
  let sim: ComfySimulator;
  let image: string;
  beforeEach(async () => {
    sim = await startComfySimulator({ knobs: { secondsPerStep: 0 } });
    image = await uploadStart(sim);
  });
  afterEach(() => sim.close());
  const graph = (prefix: string, seed = 1) => wanGraph({ ...defaultWan(image, prefix), seed });

  it('interrupts the running prompt at its next step; history says error, not completed', async () => {
    sim.knobs.secondsPerStep = 0.2;
    const client = await listen(sim, 'w');
    const id = await submit(sim, graph('i/a'), 'w');
    await client.waitFor((m) => m.type === 'progress' && m.data.prompt_id === id);
    await post(sim, '/interrupt', { prompt_id: 'someone-else' });
    await post(sim, '/interrupt', { prompt_id: id });
    await client.done(id);
    const stopped = client.of(id).find((m) => m.type === 'execution_interrupted');
    expect(stopped?.data).toMatchObject({ prompt_id: id, node_id: '15', node_type: 'KSamplerAdvanced' });
    expect(client.of(id).filter((m) => m.type === 'progress')).toHaveLength(1);
    const entry = (await getJson<History>(sim, `/history/${id}`))[id];
    expect(entry?.status).toMatchObject({ status_str: 'error', completed: false });
    expect(entry?.status.messages.at(-1)?.[0]).toBe('execution_interrupted');
    client.close();
  });

  it('deletes and clears only pending prompts, broadcasting the queue size each time', async () => {
    sim.knobs.secondsPerStep = 0.2;
    const client = await listen(sim, 'q');
    const running = await submit(sim, graph('q/a', 1), 'q');
    const second = await submit(sim, graph('q/b', 2), 'q');
    const third = await submit(sim, graph('q/c', 3), 'q');
    await client.waitFor((m) => m.type === 'executing' && m.data.prompt_id === running);
    expect((await post(sim, '/queue', { delete: [second, running] })).text).toBe('');
    const afterDelete = await getJson<Queue>(sim, '/queue');
    expect(afterDelete.queue_running.map((item) => item[1])).toEqual([running]);
    expect(afterDelete.queue_pending.map((item) => item[1])).toEqual([third]);
    expect(afterDelete.queue_running[0]).toHaveLength(5);
    await post(sim, '/queue', { clear: true });
    expect((await getJson<Queue>(sim, '/queue')).queue_pending).toEqual([]);
    const sizes = client.messages.filter((m) => m.type === 'status').map((m) => (m.data.status as { exec_info: { queue_remaining: number } }).exec_info.queue_remaining);
    expect(sizes.slice(-2)).toEqual([2, 1]);
    await post(sim, '/interrupt', {});
    await client.done(running);
    expect(await getJson(sim, `/history/${second}`)).toEqual({});
    client.close();
  });

  it('forgets queue, history and sockets on restart, on the same port, so a worker must resubmit', async () => {
    sim.knobs.secondsPerStep = 0.5;
    const client = await listen(sim, 'r');
    const done = await submit(sim, wanGraph({ ...defaultWan(image, 'r/a'), steps: 1, split: 0 }), 'r');
    sim.knobs.secondsPerStep = 0;
    await client.done(done);
    sim.knobs.secondsPerStep = 0.5;
    const running = await submit(sim, graph('r/b'), 'r');
    await submit(sim, graph('r/c', 2), 'r');
    await client.waitFor((m) => m.type === 'progress' && m.data.prompt_id === running);
    await sim.restart();
    await client.closed;
    expect(await getJson(sim, '/queue')).toEqual({ queue_running: [], queue_pending: [] });
    expect(await getJson(sim, '/history')).toEqual({});
    const again = await listen(sim, 'r');
    expect(again.messages[0]).toEqual({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: 'r' } });
    const fresh = await submit(sim, graph('r/d'), 'r');
    expect(fresh).not.toBe(running);
    again.close();
  });

  it('plays an old server: no execution_success, progress_state, timestamps or /features', async () => {
    sim.knobs.oldServer = true;
    const client = await listen(sim, 'old', true);
    const id = await submit(sim, graph('o/a'), 'old');
    await client.done(id);
    const types = new Set(client.of(id).map((m) => m.type));
    expect(types.has('execution_success')).toBe(false);
    expect(types.has('progress_state')).toBe(false);
    expect(client.messages.some((m) => m.type === 'feature_flags')).toBe(false);
    expect(client.of(id).every((m) => !('timestamp' in m.data))).toBe(true);
    expect((await fetch(`${sim.url}/features`)).status).toBe(404);
    expect((await getJson<History>(sim, `/history/${id}`))[id]?.status.status_str).toBe('success');
    client.close();
  });

  it('fails a node with a realistic out-of-memory execution_error ending with the TIPS paragraph', async () => {
    sim.knobs.outOfMemoryAtNode = 'KSamplerAdvanced';
    const client = await listen(sim, 'oom');
    const id = await submit(sim, graph('m/a'), 'oom');
    await client.done(id);
    const error = client.of(id).find((m) => m.type === 'execution_error')?.data;
    expect(error).toMatchObject({ node_id: '15', node_type: 'KSamplerAdvanced', exception_type: 'torch.OutOfMemoryError' });
    expect(String(error?.exception_message)).toMatch(/\n\nTIPS: If the workflow worked before you might have accidentally set the batch_size to a large number\.$/);
    expect(Object.keys(error ?? {})).toEqual([
      'prompt_id', 'node_id', 'node_type', 'executed', 'exception_message', 'exception_type', 'traceback', 'current_inputs', 'current_outputs', 'timestamp',
    ]);
    client.close();
  });

  it('answers /prompt with a bare 500 when told to, and refuses missing custom nodes and models at validation', async () => {
    sim.knobs.failPromptWith500 = true;
    const crashed = await post(sim, '/prompt', { prompt: graph('x/a') });
    expect(crashed.status).toBe(500);
    expect(crashed.text).toBe('500 Internal Server Error\n\nServer got itself in trouble');
    sim.knobs.failPromptWith500 = false;
    sim.knobs.missingNodeClasses = ['UnetLoaderGGUFDisTorch2MultiGPU'];
    sim.knobs.unknownNodeErrorStyle = 'missing_node_type';
    const missing = await post(sim, '/prompt', { prompt: graph('x/b') });
    expect(missing.status).toBe(400);
    expect((missing.json as { error: unknown }).error).toMatchObject({ type: 'missing_node_type', details: "Node ID '#1'", extra_info: { class_type: 'UnetLoaderGGUFDisTorch2MultiGPU' } });
    expect(await getJson(sim, '/object_info/UnetLoaderGGUFDisTorch2MultiGPU')).toEqual({});
    sim.knobs.missingNodeClasses = [];
    // Files on disk: the high-noise expert only, plus a safetensors file unet_gguf must not list.
    sim.setModels('diffusion_models', ['wan2.2_i2v_high_noise_14B_Q6_K.gguf', 'other.safetensors']);
    const noModel = await post(sim, '/prompt', { prompt: graph('x/c') });
    const errors = (noModel.json as { node_errors: Record<string, { errors: Array<{ type: string; details: string }> }> }).node_errors;
    expect(errors['1']).toBeUndefined();
    expect(errors['2']?.errors[0]?.type).toBe('value_not_in_list');
    expect(errors['2']?.errors[0]?.details).toBe("unet_name: 'wan2.2_i2v_low_noise_14B_Q6_K.gguf' not in ['wan2.2_i2v_high_noise_14B_Q6_K.gguf']");
  });

  it('can write history late, so executing null arrives before /history knows the prompt', async () => {
    sim.knobs.delayHistoryWriteMs = 300;
    const client = await listen(sim, 'late');
    const id = await submit(sim, graph('l/a'), 'late');
    await client.done(id);
    expect(await getJson(sim, `/history/${id}`)).toEqual({});
    let entry = await getJson(sim, `/history/${id}`);
    for (let polls = 0; Object.keys(entry).length === 0 && polls < 50; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      entry = await getJson(sim, `/history/${id}`);
    }
    expect(Object.keys(entry)).toEqual([id]);
    client.close();
  });

  it('drops sockets mid-run; a reconnecting client hears status with its sid, then the node running for it', async () => {
    sim.knobs.secondsPerStep = 0.2;
    sim.knobs.dropSocketAfterSteps = 1;
    const client = await listen(sim, 'drop');
    const id = await submit(sim, graph('d/a'), 'drop');
    await client.closed;
    sim.knobs.dropSocketAfterSteps = undefined;
    const again = await listen(sim, 'drop');
    await again.waitFor((m) => m.type === 'executing');
    expect(again.messages.slice(0, 2)).toEqual([
      { type: 'status', data: { status: { exec_info: { queue_remaining: 1 } }, sid: 'drop' } },
      { type: 'executing', data: { node: '15' } },
    ]);
    await again.done(id);
    again.close();
  });
});
