import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ComfyTransientError } from '../../src/comfy/errors.ts';
import type { PromptEvent } from '../../src/comfy/events.ts';
import { describeFailure } from '../../src/comfy/failure.ts';
import { followPrompt } from '../../src/comfy/follow.ts';
import { connectComfy } from '../../src/comfy/index.ts';
import { startComfySimulator } from '../../src/simulator/index.ts';
import { startImage, wanGraph } from './wanGraph.ts';

type Simulator = Awaited<ReturnType<typeof startComfySimulator>>;
type Connection = ReturnType<typeof connectComfy>;

let sim: Simulator;
let comfy: Connection;
let image: string;
let counter = 0;
const nextId = () => `follow-test-${process.pid}-${(counter += 1)}`;
const fastBackoff = { initialMs: 10, maxMs: 100 };

beforeAll(async () => {
  sim = await startComfySimulator({ knobs: { secondsPerStep: 0 } });
  comfy = connectComfy({ baseUrl: sim.url, backoff: fastBackoff });
  await comfy.socket.waitUntilOpen();
  const uploaded = await comfy.client.uploadImage({ data: await startImage(), filename: 'follow.png', subfolder: 'jobs', overwrite: true });
  image = `${uploaded.subfolder}/${uploaded.name}`;
});

afterAll(async () => {
  await comfy.close();
  await sim.close();
});

afterEach(() => {
  Object.assign(sim.knobs, {
    secondsPerStep: 0,
    failAtNode: undefined,
    outOfMemoryAtNode: undefined,
    dropSocketAfterSteps: undefined,
    oldServer: undefined,
    previews: undefined,
    delayHistoryWriteMs: undefined,
  });
});

async function run(promptId: string, options: { seed?: number; pollIntervalMs?: number; connection?: Connection } = {}): Promise<PromptEvent[]> {
  const connection = options.connection ?? comfy;
  const graph = wanGraph({ image, seed: options.seed ?? counter, prefix: `follow/${promptId}` });
  // Start from a cold cache, so every node runs and reports as in a first run.
  await connection.client.free({ freeMemory: true });
  await connection.client.submitPrompt({ prompt: graph, promptId });
  const events: PromptEvent[] = [];
  for await (const event of followPrompt(connection, promptId, { graph, pollIntervalMs: options.pollIntervalMs ?? 50 })) events.push(event);
  return events;
}

const terminals = (events: PromptEvent[]) => events.filter((event) => ['succeeded', 'failed', 'interrupted'].includes(event.type));

describe('following a prompt on the simulator', () => {
  it('goes from queued through steps and output to succeeded with the video', async () => {
    const events = await run(nextId());
    const types = events.map((event) => event.type);
    expect(types.indexOf('started')).toBeGreaterThanOrEqual(0);
    expect(types.filter((type) => type === 'started')).toHaveLength(1);
    expect(types).toContain('node');
    expect(events.filter((event) => event.type === 'step' && event.node === '15').length).toBeGreaterThan(0);
    expect(types.at(-1)).toBe('succeeded');
    expect(terminals(events)).toHaveLength(1);
    const succeeded = events.at(-1);
    if (succeeded?.type !== 'succeeded') throw new Error('not succeeded');
    const video = succeeded.outputs['18']?.['gifs']?.[0];
    expect(video).toMatchObject({ format: 'video/h264-mp4', type: 'output' });
    const view = await comfy.client.view({ filename: video!.filename, subfolder: video!.subfolder, type: video!.type });
    expect(view.contentType).toBe('video/mp4');
    view.stream.resume();
  });

  it('reports its place in the queue while another prompt runs', async () => {
    sim.knobs.secondsPerStep = 0.05;
    const first = nextId();
    const second = nextId();
    await comfy.client.free({ freeMemory: true });
    await comfy.client.submitPrompt({ prompt: wanGraph({ image, seed: 1 }), promptId: first });
    await comfy.client.submitPrompt({ prompt: wanGraph({ image, seed: 2 }), promptId: second });
    const events: PromptEvent[] = [];
    for await (const event of followPrompt(comfy, second, { pollIntervalMs: 50 })) {
      events.push(event);
      // Its place in the queue is what this test is about; whole runs are followed above.
      if (event.type === 'started') break;
    }
    expect(events).toEqual([{ type: 'queued', position: 0 }, { type: 'started', at: expect.any(Number) }]);
    const history = await comfy.client.getHistory(first);
    expect(history?.status?.statusStr).toBe('success');
  });

  it('sends previews when ComfyUI makes them', async () => {
    sim.knobs.previews = true;
    const events = await run(nextId());
    const previews = events.filter((event) => event.type === 'preview');
    expect(previews.length).toBeGreaterThan(0);
    expect(previews[0]).toMatchObject({ mime: 'image/jpeg' });
    expect(events.at(-1)?.type).toBe('succeeded');
  });

  it('still reaches succeeded when the socket drops mid-run', async () => {
    sim.knobs.secondsPerStep = 0.05;
    sim.knobs.dropSocketAfterSteps = 1;
    const events = await run(nextId());
    expect(terminals(events)).toHaveLength(1);
    const last = events.at(-1);
    expect(last?.type).toBe('succeeded');
    if (last?.type === 'succeeded') expect(last.outputs['18']?.['gifs']?.[0]?.filename).toMatch(/\.mp4$/);
  });

  it('ends an interrupted prompt with interrupted', async () => {
    sim.knobs.secondsPerStep = 0.1;
    const promptId = nextId();
    const graph = wanGraph({ image, seed: 77 });
    await comfy.client.free({ freeMemory: true });
    await comfy.client.submitPrompt({ prompt: graph, promptId });
    const events: PromptEvent[] = [];
    for await (const event of followPrompt(comfy, promptId, { pollIntervalMs: 50 })) {
      events.push(event);
      if (event.type === 'step') await comfy.client.interrupt(promptId);
    }
    expect(events.at(-1)).toMatchObject({ type: 'interrupted' });
    expect(terminals(events)).toHaveLength(1);
  });

  it('maps an out-of-memory failure to its kind and words for the member', async () => {
    sim.knobs.outOfMemoryAtNode = 'KSamplerAdvanced';
    const graph = wanGraph({ image, seed: 5 });
    const events = await run(nextId(), { seed: 5 });
    const last = events.at(-1);
    if (last?.type !== 'failed') throw new Error(`expected failed, got ${last?.type}`);
    const error = describeFailure(last.failure, graph);
    expect(error.kind).toBe('out_of_memory');
    expect(error.title).toBe('High-noise pass');
    expect(error.memberMessage).toBe('the GPU ran out of memory at this size; try a smaller preset or fewer frames');
  });

  it('completes on an old server that never sends execution_success, even when history is written late', async () => {
    sim.knobs.oldServer = true;
    sim.knobs.delayHistoryWriteMs = 150;
    const events = await run(nextId());
    const last = events.at(-1);
    expect(last?.type).toBe('succeeded');
    if (last?.type === 'succeeded') expect(Object.keys(last.outputs)).toContain('18');
  });

  it('gives a follower that subscribes late every node and step it missed, in order', async () => {
    const promptId = nextId();
    const graph = wanGraph({ image, seed: 777, prefix: `follow/${promptId}` });
    await comfy.client.free({ freeMemory: true });
    await comfy.client.submitPrompt({ prompt: graph, promptId });
    await expect.poll(async () => (await comfy.client.getHistory(promptId))?.status?.completed, { interval: 20, timeout: 10_000 }).toBe(true);
    const events: PromptEvent[] = [];
    for await (const event of followPrompt(comfy, promptId, { graph, pollIntervalMs: 50 })) events.push(event);
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('started');
    expect(types).toContain('node');
    expect(events.filter((event) => event.type === 'step' && event.node === '15').map((event) => (event.type === 'step' ? event.value : 0))).toEqual([1, 2]);
    expect(types.at(-1)).toBe('succeeded');
  });

  it('survives the history race on a current server', async () => {
    sim.knobs.delayHistoryWriteMs = 150;
    const events = await run(nextId());
    expect(events.at(-1)?.type).toBe('succeeded');
  });

  it('reads the end from history when the prompt finished before we followed it', async () => {
    const promptId = nextId();
    await comfy.client.free({ freeMemory: true });
    await comfy.client.submitPrompt({ prompt: wanGraph({ image, seed: 4242 }), promptId });
    await expect.poll(async () => (await comfy.client.getHistory(promptId))?.status?.completed, { interval: 20, timeout: 10_000 }).toBe(true);
    const events: PromptEvent[] = [];
    for await (const event of followPrompt(comfy, promptId, { pollIntervalMs: 50 })) events.push(event);
    const last = events.at(-1);
    expect(last?.type).toBe('succeeded');
    if (last?.type === 'succeeded') expect(last.outputs['18']?.['gifs']).toHaveLength(1);
  });

  it("ends in prompt_lost when ComfyUI restarts mid-run and forgets the prompt", async () => {
    sim.knobs.secondsPerStep = 0.1;
    const promptId = nextId();
    await comfy.client.free({ freeMemory: true });
    await comfy.client.submitPrompt({ prompt: wanGraph({ image, seed: 99 }), promptId });
    const events: PromptEvent[] = [];
    let restarted = false;
    const following = (async () => {
      for await (const event of followPrompt(comfy, promptId, { pollIntervalMs: 50 })) {
        events.push(event);
        if (event.type === 'step' && !restarted) {
          restarted = true;
          await sim.restart();
        }
      }
    })();
    const error = await following.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ComfyTransientError);
    expect(error).toMatchObject({ code: 'prompt_lost', retryable: true });
    expect(terminals(events)).toHaveLength(0);
  });

  it('stops following on abort without interrupting ComfyUI', async () => {
    sim.knobs.secondsPerStep = 0.05;
    const promptId = nextId();
    await comfy.client.free({ freeMemory: true });
    await comfy.client.submitPrompt({ prompt: wanGraph({ image, seed: 31 }), promptId });
    const controller = new AbortController();
    const seen: PromptEvent[] = [];
    const following = (async () => {
      for await (const event of followPrompt(comfy, promptId, { signal: controller.signal, pollIntervalMs: 50 })) {
        seen.push(event);
        if (event.type === 'started') controller.abort(new Error('stop following'));
      }
    })();
    await expect(following).rejects.toThrow('stop following');
    await expect.poll(async () => (await comfy.client.getHistory(promptId))?.status?.statusStr, { interval: 20, timeout: 10_000 }).toBe('success');
  });
});
