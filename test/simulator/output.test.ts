import { readFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../../src/simulator/media.ts';
import { startComfySimulator, type ComfySimulator } from '../../src/simulator/index.ts';
import { defaultWan, getJson, listen, submit, uploadStart, wanGraph } from './helpers.ts';

async function probe(path: string): Promise<Record<string, string | number>> {
  const out = await runTool('/usr/bin/ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-count_frames',
    '-show_entries', 'stream=codec_name,pix_fmt,width,height,r_frame_rate,nb_read_frames', '-of', 'json', path,
  ]);
  return (JSON.parse(out) as { streams: Array<Record<string, string | number>> }).streams[0] ?? {};
}

type Gif = { filename: string; subfolder: string; type: string; format: string; frame_rate: number; workflow: string; fullpath: string };

describe('the simulator writes real videos', () => {
  let sim: ComfySimulator;
  let image: string;
  beforeAll(async () => {
    sim = await startComfySimulator({ knobs: { secondsPerStep: 0 } });
    image = await uploadStart(sim);
  });
  afterAll(() => sim.close());

  it('renders an H.264 yuv420p MP4 of the asked size, 4k+1 frames and fps, with its first frame beside it', async () => {
    const client = await listen(sim, 'video');
    const id = await submit(sim, wanGraph({ ...defaultWan(image, 'wan22_i2v/job_a'), length: 20, fps: 12 }), 'video');
    await client.done(id);
    const history = await getJson<Record<string, { outputs: Record<string, { gifs: Gif[] }> }>>(sim, `/history/${id}`);
    const gif = history[id]?.outputs['18']?.gifs[0];
    expect(gif).toMatchObject({ filename: 'job_a_00001.mp4', subfolder: 'wan22_i2v', type: 'output', format: 'video/h264-mp4', frame_rate: 12, workflow: 'job_a_00001.png' });
    const stream = await probe(gif?.fullpath ?? '');
    // 20 is floored to 17 = 4·4+1, as the model decodes whole latent frames.
    expect(stream).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', width: 160, height: 96, r_frame_rate: '12/1', nb_read_frames: '17' });
    expect(readdirSync(join(sim.dataDir, 'output', 'wan22_i2v')).sort()).toEqual(['job_a_00001.mp4', 'job_a_00001.png']);
    const frames = client.of(id).filter((m) => m.type === 'progress' && m.data.node === '18');
    expect(frames.map((m) => m.data.value)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    const steps = client.of(id).filter((m) => m.type === 'progress' && m.data.node !== '18');
    expect(steps.map((m) => `${m.data.node}:${m.data.value}/${m.data.max}`)).toEqual(['15:1/2', '15:2/2', '16:1/2', '16:2/2']);
    const view = await fetch(`${sim.url}/view?filename=${gif?.filename}&subfolder=wan22_i2v&type=output`);
    expect(view.headers.get('content-type')).toBe('video/mp4');
    client.close();
  });

  it('answers an identical resubmission from cache: every node cached, the old output, no new file', async () => {
    const client = await listen(sim, 'cache');
    const graph = wanGraph(defaultWan(image, 'wan22_i2v/job_c'));
    const first = await submit(sim, graph, 'cache');
    await client.done(first);
    const before = readdirSync(join(sim.dataDir, 'output', 'wan22_i2v')).length;
    const again = await submit(sim, graph, 'cache');
    await client.done(again);
    const types = client.of(again).map((m) => m.type);
    expect(types).toEqual(['execution_start', 'execution_cached', 'executed', 'progress_state', 'execution_success', 'executing']);
    expect(client.of(again).find((m) => m.type === 'execution_cached')?.data.nodes).toHaveLength(Object.keys(graph).length);
    const executed = client.of(again).find((m) => m.type === 'executed');
    expect((executed?.data.output as { gifs: Gif[] }).gifs[0]?.filename).toBe('job_c_00001.mp4');
    expect(readdirSync(join(sim.dataDir, 'output', 'wan22_i2v'))).toHaveLength(before);
    client.close();
  });

  it('upscales a finished video read straight from output/ with the "[output]" annotation', async () => {
    const client = await listen(sim, 'up');
    const id = await submit(sim, wanGraph(defaultWan(image, 'wan22_i2v/job_u')), 'up');
    await client.done(id);
    const upscale = {
      '1': { class_type: 'VHS_LoadVideo', inputs: { video: 'wan22_i2v/job_u_00001.mp4 [output]', force_rate: 0, custom_width: 0, custom_height: 0, frame_load_cap: 0, skip_first_frames: 0, select_every_nth: 1 } },
      '2': { class_type: 'VHS_VideoInfoLoaded', inputs: { video_info: ['1', 3] } },
      '3': { class_type: 'UpscaleModelLoader', inputs: { model_name: '4x-UltraSharp.pth' } },
      '4': { class_type: 'ImageUpscaleWithModel', inputs: { upscale_model: ['3', 0], image: ['1', 0] } },
      '5': { class_type: 'ImageScaleBy', inputs: { image: ['4', 0], upscale_method: 'lanczos', scale_by: 0.5 } },
      '6': {
        class_type: 'VHS_VideoCombine',
        inputs: { images: ['5', 0], frame_rate: ['2', 0], loop_count: 0, filename_prefix: 'wan22_i2v_up/job_u', format: 'video/h264-mp4', pix_fmt: 'yuv420p', crf: 28, save_metadata: true, pingpong: false, save_output: true },
      },
    };
    const up = await submit(sim, upscale, 'up');
    await client.done(up);
    expect(client.of(up).some((m) => m.type === 'execution_success')).toBe(true);
    const stream = await probe(join(sim.dataDir, 'output', 'wan22_i2v_up', 'job_u_00001.mp4'));
    expect(stream).toMatchObject({ width: 320, height: 192, r_frame_rate: '16/1', nb_read_frames: '17' });
    client.close();
  });

  it('sends binary previews: JPEG type 1 to plain sockets, type 4 with metadata to sockets that asked', async () => {
    sim.knobs.previews = true;
    const plain = await listen(sim, 'plain');
    const modern = await listen(sim, 'modern', true);
    await modern.waitFor((m) => m.type === 'feature_flags');
    const a = await submit(sim, wanGraph({ ...defaultWan(image, 'p/a'), seed: 1 }), 'plain');
    const b = await submit(sim, wanGraph({ ...defaultWan(image, 'p/b'), seed: 2 }), 'modern');
    await plain.done(a);
    await modern.done(b);
    sim.knobs.previews = false;
    expect(plain.binaries.map((f) => f.eventType)).toEqual([1, 1, 1, 1]);
    const legacy = plain.binaries[0]?.bytes ?? Buffer.alloc(0);
    expect(legacy.readUInt32BE(4)).toBe(1);
    expect(legacy.subarray(8, 10).toString('hex')).toBe('ffd8');
    expect(modern.binaries.map((f) => f.eventType)).toEqual([4, 4, 4, 4]);
    const framed = modern.binaries[0]?.bytes ?? Buffer.alloc(0);
    const length = framed.readUInt32BE(4);
    expect(JSON.parse(framed.subarray(8, 8 + length).toString())).toEqual({
      node_id: '15', prompt_id: b, display_node_id: '15', parent_node_id: null, real_node_id: '15', image_type: 'image/jpeg',
    });
    expect(framed.subarray(8 + length, 10 + length).toString('hex')).toBe('ffd8');
    plain.close();
    modern.close();
  });
});

describe('a simulator that reuses renders (for the benchmark)', () => {
  it('copies an earlier render of the same picture and shape instead of encoding again, and still renders new shapes', async () => {
    const sim = await startComfySimulator({ knobs: { secondsPerStep: 0 }, reuseRenders: true });
    try {
      const image = await uploadStart(sim);
      const client = await listen(sim, 'reuse');
      const ids = [];
      for (const [prefix, seed, length] of [['r/a', 1, 17], ['r/b', 2, 17], ['r/c', 3, 21]] as const) {
        const id = await submit(sim, wanGraph({ ...defaultWan(image, prefix), seed, length }), 'reuse');
        await client.done(id);
        ids.push(id);
      }
      const paths = [];
      for (const id of ids) {
        const history = await getJson<Record<string, { outputs: Record<string, { gifs: Gif[] }> }>>(sim, `/history/${id}`);
        paths.push(history[id]?.outputs['18']?.gifs[0]?.fullpath ?? '');
      }
      const [a, b, c] = await Promise.all(paths.map((path) => readFile(path)));
      expect(b!.equals(a!)).toBe(true);
      expect((await probe(paths[1]!)).nb_read_frames).toBe('17');
      expect((await probe(paths[2]!)).nb_read_frames).toBe('21');
      expect(c!.equals(a!)).toBe(false);
      client.close();
    } finally {
      await sim.close();
    }
  });
});
