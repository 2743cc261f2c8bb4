import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/comfy/failure.ts';
import type { ApiGraph } from '../../src/comfy/graph.ts';
import { terminalFromHistory } from '../../src/comfy/historyOutcome.ts';
import { decodeBinaryFrame, parseTextMessage, type ComfyMessage } from '../../src/comfy/messages.ts';
import { historyResponseSchema, queueResponseSchema } from '../../src/comfy/schemas.ts';
import { readBinary, readRecording, VERSIONS } from './recordings.ts';

function recordedMessages(version: string, file: string): ComfyMessage[] {
  return readRecording(version, file)
    .filter((line) => line.dir === 'ws<' && line.kind === 'text')
    .map((line) => parseTextMessage(line.data ?? ''))
    .filter((message): message is ComfyMessage => message !== undefined);
}

function recordedHttp(version: string, file: string, urlPrefix: string) {
  return readRecording(version, file).filter((line) => line.dir === 'http' && line.url?.startsWith(urlPrefix));
}

describe.each(VERSIONS)('WebSocket messages recorded on %s', (version) => {
  it('parse a whole Wan2.2 run in order, ending in success then executing null', () => {
    const messages = recordedMessages(version, '13-wan-i2v-stubbed-run-preview-metadata.jsonl');
    const types = messages.map((message) => message.type);
    expect(types[0]).toBe('status');
    expect(types).toContain('execution_cached');
    expect(messages.filter((message) => message.type === 'progress' && message.node === '18')).toHaveLength(33);
    expect(types.slice(-3)).toEqual(['execution_success', 'status', 'executing']);
    expect(messages.at(-1)).toMatchObject({ type: 'executing', node: null });
    const executed = messages.find((message) => message.type === 'executed');
    expect(executed).toMatchObject({
      node: '18',
      output: { gifs: [{ filename: 'i2v_00001.mp4', subfolder: 'wan22', type: 'output', format: 'video/h264-mp4', frameRate: 16 }] },
    });
  });

  it('keep only files of a node UI (SaveAnimatedWEBP also sends "animated": [true])', () => {
    const executed = recordedMessages(version, '04-prompt-animated-featureflags.jsonl').filter((message) => message.type === 'executed');
    expect(executed[0]).toMatchObject({ output: { images: [expect.objectContaining({ type: 'output' })] } });
    for (const message of executed) expect(Object.keys(message.type === 'executed' ? (message.output ?? {}) : {})).not.toContain('animated');
  });

  it('read the execution_error of a runtime failure', () => {
    const error = recordedMessages(version, '06-prompt-runtime-error.jsonl').find((message) => message.type === 'execution_error');
    expect(error).toMatchObject({ nodeId: '1', nodeType: 'LoadImage', exceptionType: 'PIL.UnidentifiedImageError' });
  });

  it('read interrupts with the node they stopped at', () => {
    const interrupts = recordedMessages(version, '14-wan-i2v-interrupt-and-queue.jsonl').filter((message) => message.type === 'execution_interrupted');
    expect(interrupts.map((message) => message.type === 'execution_interrupted' && message.nodeId)).toEqual(['15', '16']);
  });

  it('ignore unknown types, custom nodes and broken frames without throwing', () => {
    expect(parseTextMessage('{"type": "crystools.monitor", "data": {"cpu": 3}}')).toBeUndefined();
    expect(parseTextMessage('{"type": "progress", "data": {"value": "x"}}')).toBeUndefined();
    expect(parseTextMessage('not json')).toBeUndefined();
    expect(parseTextMessage('[1,2]')).toBeUndefined();
    expect(parseTextMessage('{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 2}}}}')).toEqual({ type: 'status', queueRemaining: 2, sid: undefined });
  });

  it('decode a type 1 preview (JPEG, no prompt id)', () => {
    const preview = decodeBinaryFrame(readBinary(version, '12-wan-i2v-stubbed-run-binary-previews.binframe1.bin'));
    expect(preview).toMatchObject({ type: 'preview', promptId: undefined, mime: 'image/jpeg' });
    expect(preview?.image.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  });

  it('decode a type 4 preview with its prompt and node ids', () => {
    const preview = decodeBinaryFrame(readBinary(version, '13-wan-i2v-stubbed-run-preview-metadata.binframe3.bin'));
    const recorded = readRecording(version, '13-wan-i2v-stubbed-run-preview-metadata.jsonl').find((line) => line.dir === 'ws<' && line.kind === 'binary') as { metadata: string } | undefined;
    const promptId = JSON.parse(recorded?.metadata ?? '{}').prompt_id as string;
    expect(preview).toMatchObject({ type: 'preview', promptId, node: '16', mime: 'image/jpeg' });
    expect(preview?.image.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  });

  it('ignore a type 3 text frame and frames too short to read', () => {
    const text = Buffer.concat([Buffer.from([0, 0, 0, 3, 0, 0, 0, 2]), Buffer.from('18hello')]);
    expect(decodeBinaryFrame(text)).toBeUndefined();
    expect(decodeBinaryFrame(Buffer.from([0, 0, 0, 1]))).toBeUndefined();
  });

  it('read queues as items, pending sorted by number', () => {
    for (const exchange of recordedHttp(version, '14-wan-i2v-interrupt-and-queue.jsonl', '/queue')) {
      if (exchange.method !== 'GET') continue;
      const queue = queueResponseSchema.parse(JSON.parse(exchange.resp_body ?? '{}'));
      const numbers = queue.pending.map((item) => item.number);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      for (const item of [...queue.running, ...queue.pending]) expect(item).toMatchObject({ promptId: expect.any(String), clientId: expect.stringMatching(/^rig-/), outputs: ['18'] });
    }
  });

  it('read a successful history entry with its video', () => {
    const exchange = recordedHttp(version, '13-wan-i2v-stubbed-run-preview-metadata.jsonl', '/history/')[0];
    const [entry] = Object.values(historyResponseSchema.parse(JSON.parse(exchange?.resp_body ?? '{}')));
    expect(entry?.status).toMatchObject({ statusStr: 'success', completed: true });
    expect(terminalFromHistory(entry!)).toMatchObject({ type: 'succeeded', outputs: { '18': { gifs: [{ filename: 'i2v_00001.mp4', subfolder: 'wan22' }] } } });
  });

  it('read a failed history entry as the failure', () => {
    const exchange = recordedHttp(version, '06-prompt-runtime-error.jsonl', '/history/')[0];
    const [entry] = Object.values(historyResponseSchema.parse(JSON.parse(exchange?.resp_body ?? '{}')));
    expect(terminalFromHistory(entry!)).toMatchObject({ type: 'failed', failure: { nodeId: '1', nodeType: 'LoadImage', exceptionType: 'PIL.UnidentifiedImageError' } });
  });

  it('read an interrupted history entry as interrupted at its node', () => {
    const exchange = recordedHttp(version, '14-wan-i2v-interrupt-and-queue.jsonl', '/history/')[0];
    const [entry] = Object.values(historyResponseSchema.parse(JSON.parse(exchange?.resp_body ?? '{}')));
    expect(terminalFromHistory(entry!)).toMatchObject({ type: 'interrupted', node: '15' });
  });
});

describe('failures in words', () => {
  const graph: ApiGraph = {
    '15': { class_type: 'KSamplerAdvanced', inputs: {}, _meta: { title: 'High-noise pass' } },
    '4': { class_type: 'CLIPTextEncode', inputs: {}, _meta: { title: 'Negative' } },
  };

  it.each(VERSIONS)('a recorded execution_error of %s becomes an "other" failure at the titled node', (version) => {
    const messages = recordedMessages(version, '11-wan-i2v-real-core-nodes.jsonl');
    const error = messages.find((message) => message.type === 'execution_error');
    if (error?.type !== 'execution_error') throw new Error('no execution_error recorded');
    const described = describeFailure(error, graph);
    expect(described).toMatchObject({ nodeId: '4', nodeType: 'CLIPTextEncode', title: 'Negative', kind: 'other', exceptionType: 'AttributeError' });
    expect(described.message).toContain("Negative (CLIPTextEncode): AttributeError: 'Placeholder' object has no attribute 'tokenize'");
    expect(described.memberMessage).not.toContain('Placeholder');
  });

  it('an out-of-memory error tells the member to pick a smaller size', () => {
    const described = describeFailure(
      {
        nodeId: '15',
        nodeType: 'KSamplerAdvanced',
        exceptionType: 'torch.OutOfMemoryError',
        exceptionMessage: 'Allocation on device \n\nThis error means you ran out of memory on your GPU.\n\nTIPS: If the workflow worked before you might have accidentally set the batch_size to a large number.',
      },
      graph,
    );
    expect(described.kind).toBe('out_of_memory');
    expect(described.memberMessage).toBe('the GPU ran out of memory at this size; try a smaller preset or fewer frames');
    expect(described.message).not.toContain('TIPS');
    expect(described.title).toBe('High-noise pass');
  });

  it.each([
    [{ exceptionType: 'FileNotFoundError', exceptionMessage: "[Errno 2] No such file or directory: '/models/loras/x.safetensors'" }, 'missing_model'],
    [{ exceptionType: 'ModuleNotFoundError', exceptionMessage: "No module named 'sageattention'" }, 'missing_node'],
    [{ exceptionType: 'comfy.model_management.InterruptProcessingException', exceptionMessage: '' }, 'interrupted'],
    [{ exceptionType: 'RuntimeError', exceptionMessage: 'CUDA error: out of memory' }, 'out_of_memory'],
    [{ exceptionType: 'ValueError', exceptionMessage: 'bad expert string' }, 'other'],
  ] as const)('%j is %s', (fields, kind) => {
    expect(describeFailure({ nodeId: '15', nodeType: 'KSamplerAdvanced', ...fields }).kind).toBe(kind);
  });

  it('a missing Python package names it for the admin', () => {
    const described = describeFailure({ nodeId: '15', nodeType: 'KSamplerAdvanced', exceptionType: 'ModuleNotFoundError', exceptionMessage: "No module named 'sageattention'" }, graph);
    expect(described.message).toContain('Python package sageattention is not installed');
  });
});
