import { describe, expect, it } from 'vitest';
import type { PromptEvent } from '../../src/comfy/events.ts';
import { initialFollowState, isFinal, nextPoll, stepFollow, type FollowInput, type FollowSettings, type FollowState } from '../../src/comfy/followState.ts';
import { parseTextMessage, promptIdOf, type ComfyMessage } from '../../src/comfy/messages.ts';
import { historyResponseSchema, queueResponseSchema } from '../../src/comfy/schemas.ts';
import { loadTranscript, type RecordedLine } from '../simulator/replay.ts';

/**
 * The pure core of followPrompt, fed the recorded conversations of a real ComfyUI (both
 * versions): every socket frame routed to its prompt as the socket routes it, and every
 * recorded answer to `GET /queue` and `GET /history/<id>` as a poll answer, in recorded order.
 */

const VERSIONS = ['0.3.65', '0.8.0'] as const;
const settings: FollowSettings = { pollIntervalMs: 1000, lostAfterChecks: 3, historyWaitMs: 15_000, safetyPollMs: 10_000, unreachableMs: 120_000 };

type Timed = { at: number; line: RecordedLine };

/** Prompt ids in the order ComfyUI accepted them. */
function promptIds(lines: RecordedLine[]): string[] {
  return lines
    .filter((line) => line.dir === 'http' && line.method === 'POST' && line.url?.endsWith('/prompt') && line.status === 200 && line.resp_body)
    .map((line) => (JSON.parse(line.resp_body ?? '{}') as { prompt_id: string }).prompt_id);
}

/** A recorded binary frame as the socket decodes it (the image bytes are not in the transcript). */
function binaryMessage(line: RecordedLine): ComfyMessage | undefined {
  if (line.event_type === 1) return { type: 'preview', promptId: undefined, node: undefined, mime: 'image/jpeg', image: Buffer.alloc(0) };
  if (line.event_type !== 4 || !line.metadata) return undefined;
  const metadata = JSON.parse(line.metadata) as { node_id?: string; display_node_id?: string; prompt_id?: string; image_type?: 'image/jpeg' | 'image/png' };
  return { type: 'preview', promptId: metadata.prompt_id, node: metadata.display_node_id ?? metadata.node_id, mime: metadata.image_type ?? 'image/jpeg', image: Buffer.alloc(0) };
}

/** The inputs one prompt's follower receives, in order: what the socket routes to it and the poll answers about it. */
function inputsFor(lines: RecordedLine[], promptId: string): FollowInput[] {
  const inputs: FollowInput[] = [];
  let running: string | undefined; // as the socket attributes messages without a prompt id
  for (const { at, line } of lines.map((line): Timed => ({ at: Math.round(line.t * 1000), line }))) {
    if (line.dir === 'ws<') {
      const raw = line.kind === 'binary' ? binaryMessage(line) : parseTextMessage(line.data ?? '');
      if (!raw) continue;
      if (raw.type === 'status') {
        inputs.push({ type: 'queue_changed', at });
        continue;
      }
      if (raw.type === 'execution_start' || (raw.type === 'executing' && raw.node !== null) || raw.type === 'progress') running = promptIdOf(raw) ?? running;
      const message = promptIdOf(raw) === undefined && 'promptId' in raw && running ? ({ ...raw, promptId: running } as ComfyMessage) : raw;
      if (promptIdOf(message) === promptId) inputs.push({ type: 'message', message, at });
      if (message.type === 'executing' && message.node === null && promptIdOf(message) === running) running = undefined;
    } else if (line.dir === 'http' && line.method === 'GET' && line.resp_body && line.status === 200) {
      const path = line.url?.replace(/^\/api/, '');
      if (path === '/queue') inputs.push({ type: 'queue', queue: queueResponseSchema.parse(JSON.parse(line.resp_body)), at });
      if (path === `/history/${promptId}`) inputs.push({ type: 'history', entry: historyResponseSchema.parse(JSON.parse(line.resp_body))[promptId], at });
    }
  }
  return inputs;
}

type Run = { state: FollowState; events: PromptEvent[]; consumed: number };

function run(inputs: FollowInput[], start: FollowState): Run {
  let state = start;
  const events: PromptEvent[] = [];
  let consumed = 0;
  for (const input of inputs) {
    if (isFinal(state.phase)) break;
    const step = stepFollow(state, input, settings);
    state = step.state;
    events.push(...step.events);
    consumed += 1;
  }
  return { state, events, consumed };
}

const follow = (version: string, file: string, promptId: string, edit: (inputs: FollowInput[]) => FollowInput[] = (inputs) => inputs): Run =>
  run(edit(inputsFor(loadTranscript(version, file), promptId)), initialFollowState(promptId, true));

const types = (events: PromptEvent[]) => events.map((event) => event.type);
const terminals = (events: PromptEvent[]) => events.filter((event) => ['succeeded', 'failed', 'interrupted'].includes(event.type));
const withoutMessage = (type: ComfyMessage['type']) => (inputs: FollowInput[]) => inputs.filter((input) => !(input.type === 'message' && input.message.type === type));

describe.each(VERSIONS)('following recorded prompts of ComfyUI %s', (version) => {
  it('a whole Wan2.2 run: started, cached, nodes, steps, previews with node ids, the output, then succeeded from the socket alone', () => {
    const file = '13-wan-i2v-stubbed-run-preview-metadata';
    const [promptId] = promptIds(loadTranscript(version, file));
    const { state, events } = follow(version, file, promptId as string);
    expect(types(events).slice(0, 2)).toEqual(['started', 'cached']);
    expect(events.filter((event) => event.type === 'node').map((event) => event.type === 'node' && event.node)).toEqual(['15', '16', '17', '18']);
    expect(events.filter((event) => event.type === 'step' && event.node === '18')).toHaveLength(33);
    expect(events.filter((event) => event.type === 'preview').map((event) => event.type === 'preview' && event.node)).toEqual(['15', '15', '16', '16']);
    expect(terminals(events)).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'succeeded', outputs: { '18': { gifs: [{ filename: 'i2v_00001.mp4', subfolder: 'wan22' }] } } });
    expect(state.phase).toEqual({ name: 'done' });
  });

  it('type 1 previews, which carry no prompt id, are given the node that runs', () => {
    const file = '12-wan-i2v-stubbed-run-binary-previews';
    const [promptId] = promptIds(loadTranscript(version, file));
    const { events } = follow(version, file, promptId as string);
    expect(events.filter((event) => event.type === 'preview').map((event) => event.type === 'preview' && event.node)).toEqual(['15', '15', '16', '16']);
    expect(events.at(-1)).toMatchObject({ type: 'succeeded', outputs: { '18': { gifs: [{ filename: 'i2v_00001.mp4' }] } } });
  });

  it('several output nodes: every output collected', () => {
    const file = '04-prompt-animated-featureflags';
    const [promptId] = promptIds(loadTranscript(version, file));
    const { events } = follow(version, file, promptId as string);
    const success = events.at(-1);
    expect(success?.type).toBe('succeeded');
    expect(Object.keys(success?.type === 'succeeded' ? success.outputs : {}).sort()).toEqual(events.filter((event) => event.type === 'output').map((event) => (event.type === 'output' ? event.node : '')).sort());
    expect(events.filter((event) => event.type === 'output').length).toBeGreaterThanOrEqual(2);
  });

  it('a fully cached re-run ends with the cached output; a prompt the socket never hears of ends through /history', () => {
    const file = '03-prompt-loadimage-scale-save';
    const [first, cached, , silent] = promptIds(loadTranscript(version, file));
    const full = follow(version, file, first as string);
    // Nothing was cached the first time: no cached event for an empty list.
    expect(types(full.events)).toEqual(['started', 'node', 'node', 'node', 'output', 'succeeded']);
    const again = follow(version, file, cached as string);
    expect(types(again.events)).toEqual(['started', 'cached', 'output', 'succeeded']);
    const polled = follow(version, file, silent as string);
    expect(polled.events).toEqual([expect.objectContaining({ type: 'started' }), expect.objectContaining({ type: 'succeeded', outputs: { '3': expect.any(Object) } })]);
  });

  it('a runtime error ends in failed, naming the node', () => {
    const file = '06-prompt-runtime-error';
    const [promptId] = promptIds(loadTranscript(version, file));
    const { events, state } = follow(version, file, promptId as string);
    expect(terminals(events)).toEqual([expect.objectContaining({ type: 'failed', failure: expect.objectContaining({ nodeId: '1', nodeType: 'LoadImage', exceptionType: 'PIL.UnidentifiedImageError' }) })]);
    expect(events.at(-1)?.type).toBe('failed');
    expect(state.phase.name).toBe('done');
  });

  it('the real Wan2.2 workflow without models fails at its first model-needing node', () => {
    const file = '11-wan-i2v-real-core-nodes';
    const [promptId] = promptIds(loadTranscript(version, file));
    const { events } = follow(version, file, promptId as string);
    expect(types(events)).toEqual(['started', 'node', 'node', 'node', 'node', 'failed']);
    expect(events.at(-1)).toMatchObject({ type: 'failed', failure: { nodeId: '4', exceptionType: 'AttributeError' } });
  });

  it('interrupts end in interrupted; queued prompts report their place, and one deleted from the queue is missed', () => {
    const file = '14-wan-i2v-interrupt-and-queue';
    const [first, second, third] = promptIds(loadTranscript(version, file));
    expect(follow(version, file, first as string).events.at(-1)).toMatchObject({ type: 'interrupted', node: '15' });
    const secondRun = follow(version, file, second as string);
    expect(secondRun.events[0]).toEqual({ type: 'queued', position: 0 });
    expect(secondRun.events.at(-1)).toMatchObject({ type: 'interrupted', node: '16' });
    const deleted = follow(version, file, third as string);
    expect(deleted.events).toEqual([{ type: 'queued', position: 1 }]);
    // The last /queue lists it nowhere: the core asks /history next, at once.
    expect(deleted.state.phase).toEqual({ name: 'watching' });
    expect(nextPoll(deleted.state, settings, deleted.state.poll.lastAt)).toEqual({ request: 'history' });
  });

  it('a prompt deleted from the queue and absent from /history is lost after three such polls', () => {
    const file = '07-queue-interrupt-core';
    const lines = loadTranscript(version, file);
    const deleted = promptIds(lines)[2] as string;
    const once = follow(version, file, deleted);
    expect(once.events).toEqual([{ type: 'queued', position: 1 }]);
    expect(once.state.phase).toEqual({ name: 'unsure', misses: 1 });
    const answers = inputsFor(lines, deleted).filter((input) => input.type === 'queue' || input.type === 'history').slice(-2);
    const again = run([...answers, ...answers], once.state);
    expect(again.state.phase).toEqual({ name: 'lost', misses: 3 });
    expect(again.events).toEqual([]);
  });

  it('an old server that sends no execution_success: executing null makes it read /history, which ends the run', () => {
    const file = '13-wan-i2v-stubbed-run-preview-metadata';
    const [promptId] = promptIds(loadTranscript(version, file));
    const inputs = withoutMessage('execution_success')(inputsFor(loadTranscript(version, file), promptId as string));
    const untilEnd = inputs.findIndex((input) => input.type === 'message' && input.message.type === 'executing' && input.message.node === null);
    const before = run(inputs.slice(0, untilEnd + 1), initialFollowState(promptId as string, true));
    expect(before.state.phase).toMatchObject({ name: 'ending', tries: 0 });
    expect(nextPoll(before.state, settings, before.state.poll.lastAt)).toEqual({ request: 'history' });
    const after = run(inputs.slice(untilEnd + 1), before.state);
    expect(terminals(after.events)).toEqual([expect.objectContaining({ type: 'succeeded', outputs: { '18': expect.any(Object) } })]);
  });

  it('a socket that drops mid-run: events meanwhile are lost, polling resumes, and /history gives the end and outputs', () => {
    const file = '13-wan-i2v-stubbed-run-preview-metadata';
    const [promptId] = promptIds(loadTranscript(version, file));
    const inputs = inputsFor(loadTranscript(version, file), promptId as string);
    const drop = inputs.findIndex((input) => input.type === 'message' && input.message.type === 'executing' && input.message.node === '17');
    const back = inputs.findIndex((input) => input.type === 'history');
    const at = (index: number) => (inputs[index] as FollowInput).at;
    const edited: FollowInput[] = [...inputs.slice(0, drop), { type: 'socket', open: false, at: at(drop) }, { type: 'socket', open: true, at: at(back) }, ...inputs.slice(back)];
    const before = run(edited.slice(0, drop + 2), initialFollowState(promptId as string, true));
    expect(before.state.phase).toEqual({ name: 'unsure', misses: 0 });
    expect(nextPoll(before.state, settings, at(back))).toEqual({ request: 'queue' });
    const { events } = run(edited, initialFollowState(promptId as string, true));
    expect(events.some((event) => event.type === 'output')).toBe(false);
    expect(terminals(events)).toEqual([expect.objectContaining({ type: 'succeeded', outputs: { '18': { gifs: [expect.objectContaining({ filename: 'i2v_00001.mp4' })] } } })]);
  });
});

describe('the follower core without recordings', () => {
  const promptId = 'job-1-a1';
  const empty = { running: [], pending: [] };

  it('polls /queue at once, then slowly while the socket is open and the prompt was seen', () => {
    const start = initialFollowState(promptId, true);
    expect(nextPoll(start, settings, 0)).toEqual({ request: 'queue' });
    const seen = stepFollow(start, { type: 'queue', queue: { running: [{ number: 1, promptId, outputs: [] }], pending: [] }, at: 1000 }, settings);
    expect(seen.events).toEqual([{ type: 'started', at: 1000 }]);
    expect(seen.state.phase).toEqual({ name: 'watching' });
    expect(nextPoll(seen.state, settings, 1000)).toEqual({ waitMs: settings.safetyPollMs });
    const down = stepFollow(seen.state, { type: 'socket', open: false, at: 1400 }, settings).state;
    expect(nextPoll(down, settings, 1400)).toEqual({ waitMs: settings.pollIntervalMs - 400 });
    expect(nextPoll(down, settings, 2000)).toEqual({ request: 'queue' });
  });

  it('gives up when ComfyUI stays unreachable for unreachableMs, and forgets failures after an answer', () => {
    let state = initialFollowState(promptId, false);
    state = stepFollow(state, { type: 'poll_failed', at: 0 }, settings).state;
    state = stepFollow(state, { type: 'poll_failed', at: settings.unreachableMs - 1 }, settings).state;
    expect(state.phase.name).toBe('unsure');
    const answered = stepFollow(state, { type: 'queue', queue: empty, at: settings.unreachableMs }, settings).state;
    expect(answered.unreachableSince).toBeUndefined();
    expect(stepFollow(state, { type: 'poll_failed', at: settings.unreachableMs }, settings).state.phase).toEqual({ name: 'unreachable', since: 0 });
  });

  it('after success without the whole run, waits historyWaitMs for /history, then uses what the socket reported', () => {
    let state = initialFollowState(promptId, true);
    const output = { gifs: [{ filename: 'v.mp4', subfolder: '', type: 'output' as const }] };
    state = stepFollow(state, { type: 'message', message: { type: 'executed', promptId, node: '9', output }, at: 10 }, settings).state;
    const success = stepFollow(state, { type: 'message', message: { type: 'execution_success', promptId, timestamp: 20 }, at: 20 }, settings);
    expect(success.events).toEqual([]);
    expect(success.state.phase).toMatchObject({ name: 'ending', since: 20 });
    const early = stepFollow(success.state, { type: 'history', entry: undefined, at: 30 }, settings);
    expect(early.events).toEqual([]);
    expect(nextPoll(early.state, settings, 30)).toEqual({ waitMs: 50 });
    const late = stepFollow(early.state, { type: 'history', entry: undefined, at: 20 + settings.historyWaitMs }, settings);
    expect(late.events).toEqual([{ type: 'succeeded', outputs: { '9': output }, at: 20 }]);
    expect(late.note?.level).toBe('warn');
  });
});
