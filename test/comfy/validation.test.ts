import { describe, expect, it } from 'vitest';
import type { ApiGraph } from '../../src/comfy/graph.ts';
import { nodePacksFor } from '../../src/comfy/nodePacks.ts';
import { parseValidationBody } from '../../src/comfy/validation.ts';
import { readRecording, recordedCase, VERSIONS } from './recordings.ts';

const FILE = '05-prompt-validation-errors.jsonl';

function problemsOf(version: string, caseName: string) {
  const exchange = recordedCase(version, FILE, caseName);
  const graph = JSON.parse(exchange.req_body ?? '{}').prompt as ApiGraph | undefined;
  return parseValidationBody(exchange.resp_body ?? '', graph);
}

describe.each(VERSIONS)('a 400 from /prompt recorded on %s', (version) => {
  it('names a bad combo value and the allowed ones', () => {
    const { errorType, problems } = problemsOf(version, 'bad_combo_value');
    expect(errorType).toBe('prompt_outputs_failed_validation');
    expect(problems).toEqual([
      expect.objectContaining({ nodeId: '2', classType: 'ImageScale', title: 'ImageScale', inputName: 'upscale_method', type: 'value_not_in_list' }),
    ]);
    expect(problems[0]?.message).toBe("ImageScale: upscale_method 'bogus' is not one of the allowed values (nearest-exact, bilinear, area, bicubic, lanczos)");
  });

  it("says a start image is not in ComfyUI's input folder", () => {
    const { problems } = problemsOf(version, 'loadimage_missing_file');
    expect(problems[0]?.message).toBe("LoadImage: image 'does_not_exist.png' is not in ComfyUI's input folder");
  });

  it('names a missing required input', () => {
    expect(problemsOf(version, 'missing_required_input').problems[0]?.message).toBe('ImageScale: required input width is missing');
  });

  it('reports a value below the minimum', () => {
    expect(problemsOf(version, 'int_below_min').problems[0]?.message).toContain('width -5 is below the minimum');
  });

  it('reports a value of the wrong type', () => {
    expect(problemsOf(version, 'int_not_a_number').problems[0]?.message).toContain("width 'abc' has the wrong type");
  });

  it('reports a link to a node that is not in the graph', () => {
    expect(problemsOf(version, 'link_to_missing_node').problems[0]?.message).toContain('links to node 99, which is not in the graph');
  });

  it('reports a link of the wrong type', () => {
    expect(problemsOf(version, 'link_wrong_type_MASK_to_IMAGE').problems[0]?.message).toBe('ImageScale: image is linked to a MASK output but needs IMAGE');
  });

  it('reports an unknown node type in the invalid_prompt style', () => {
    const { errorType, problems } = problemsOf(version, 'unknown_class_type');
    expect(errorType).toBe('invalid_prompt');
    expect(problems).toEqual([expect.objectContaining({ nodeId: '2', classType: 'NoSuchNodeType' })]);
    expect(problems[0]?.message).toContain('node type NoSuchNodeType is missing: install the custom node pack that provides it');
  });

  it('reports a node without class_type as a UI-format workflow', () => {
    const { problems } = problemsOf(version, 'missing_class_type');
    expect(problems[0]).toMatchObject({ nodeId: '3' });
    expect(problems[0]?.message).toContain('node 3 has no class_type');
  });

  it('reports a graph without output node', () => {
    const { errorType, problems } = problemsOf(version, 'no_output_node');
    expect(errorType).toBe('prompt_no_outputs');
    expect(problems).toEqual([expect.objectContaining({ nodeId: undefined })]);
    expect(problems[0]?.message).toContain('no output node');
  });

  it('reports a body without a prompt', () => {
    const { errorType, problems } = problemsOf(version, 'body_without_prompt_key');
    expect(errorType).toBe('no_prompt');
    expect(problems[0]?.message).toContain('no workflow');
  });

  it('words every problem of the Wan2.2 graph with titles, devices and model folders', () => {
    const exchange = readRecording(version, '11-wan-i2v-real-core-nodes.jsonl').find((line) => line.dir === 'http' && line.status === 400);
    const graph = JSON.parse(exchange?.req_body ?? '{}').prompt as ApiGraph;
    const messages = parseValidationBody(exchange?.resp_body ?? '', graph).problems.map((problem) => problem.message);
    expect(messages).toContain("High noise UNet: compute_device 'cuda:7' is not a device of this ComfyUI (it has cpu, cuda:0, cuda:1)");
    // Nothing close to "missing.gguf": the refusal's own choices say what is installed.
    expect(messages.find((message) => message.startsWith("Low noise UNet: unet_name 'missing.gguf' is not installed (unet_gguf folder); installed: Wan2.2-I2V-A14B-"))).toBeDefined();
    expect(messages.find((message) => message.startsWith('PathchSageAttentionKJ: sage_attention'))).toContain("'turbo' is not one of the allowed values");
  });
});

describe('the post-0.8.0 missing_node_type style', () => {
  const graph: ApiGraph = {
    '1': { class_type: 'UnetLoaderGGUFDisTorch2MultiGPU', inputs: {}, _meta: { title: 'UNet high noise' } },
  };

  it('names the node pack to install', () => {
    const body = JSON.stringify({
      error: {
        type: 'missing_node_type',
        message: "Node 'UNet high noise' not found. The custom node may not be installed.",
        details: "Node ID '#1'",
        extra_info: { node_id: '1', class_type: 'UnetLoaderGGUFDisTorch2MultiGPU', node_title: 'UNet high noise' },
      },
      node_errors: {},
    });
    const { errorType, problems } = parseValidationBody(body, graph);
    expect(errorType).toBe('missing_node_type');
    expect(problems[0]?.message).toBe('UNet high noise: node type UnetLoaderGGUFDisTorch2MultiGPU is missing: install ComfyUI-MultiGPU and ComfyUI-GGUF');
  });

  it('knows the missing class_type variant', () => {
    const body = JSON.stringify({
      error: { type: 'missing_node_type', message: "Node '#1' has no class_type.", details: "Node ID '#1'", extra_info: { node_id: '1', class_type: null, node_title: '#1' } },
      node_errors: {},
    });
    expect(parseValidationBody(body).problems[0]?.message).toContain('node 1 has no class_type');
  });

  it('says which LoRA is not installed, with the title from our graph', () => {
    const loraGraph: ApiGraph = { '5': { class_type: 'LoraLoaderModelOnly', inputs: {}, _meta: { title: 'LoRA high' } } };
    const body = JSON.stringify({
      error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} },
      node_errors: {
        '5': {
          errors: [
            {
              type: 'value_not_in_list',
              message: 'Value not in list',
              details: "lora_name: 'x.safetensors' not in (list of length 31)",
              extra_info: { input_name: 'lora_name', input_config: null, received_value: 'x.safetensors' },
            },
          ],
          dependent_outputs: ['18'],
          class_type: 'LoraLoaderModelOnly',
        },
      },
    });
    expect(parseValidationBody(body, loraGraph).problems[0]?.message).toBe("LoRA high: lora_name 'x.safetensors' is not installed (loras folder)");
  });

  it('survives a body that is not JSON', () => {
    expect(parseValidationBody('<html>bad gateway</html>').problems[0]?.message).toContain('ComfyUI refused the workflow');
  });
});

describe('custom node packs', () => {
  it.each([
    ['UnetLoaderGGUFDisTorch2MultiGPU', ['ComfyUI-MultiGPU', 'ComfyUI-GGUF']],
    ['CLIPLoaderGGUFDisTorch2MultiGPU', ['ComfyUI-MultiGPU', 'ComfyUI-GGUF']],
    ['VAELoaderDisTorch2MultiGPU', ['ComfyUI-MultiGPU']],
    ['PathchSageAttentionKJ', ['ComfyUI-KJNodes']],
    ['VHS_VideoCombine', ['ComfyUI-VideoHelperSuite']],
    ['KSamplerAdvanced', []],
  ])('%s comes from %j', (classType, packs) => {
    expect(nodePacksFor(classType)).toEqual(packs);
  });
});
