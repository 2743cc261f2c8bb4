import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FORMS, formId, parseCustomId, RESULT_BUTTONS, resultButtonId } from '../../src/status/customIds.ts';
import { optionsFromEditForm } from '../../src/bot/editResult.ts';
import { checkChannel, checkPromptTerms, findBlockedTerm } from '../../src/bot/memberPolicy.ts';
import { i2vCommandLine, renderInfo } from '../../src/bot/resultInfo.ts';
import type { StoredResult } from '../../src/queue/index.ts';
import type { JobOptions } from '../../src/workflow/jobOptions.ts';
import { loadPresets } from '../../src/workflow/loadPresets.ts';
import type { Presets } from '../../src/workflow/presetSchema.ts';

let presets: Presets;
beforeAll(async () => {
  presets = await loadPresets(resolve('presets'));
});

describe('custom ids', () => {
  it('every button and form id parses back to what wrote it, within Discord’s 100 characters', () => {
    for (const button of RESULT_BUTTONS) {
      const id = resultButtonId(button, 'abcdefghij');
      expect(id.length).toBeLessThanOrEqual(100);
      expect(parseCustomId(id)).toEqual({ kind: 'button', button, jobId: 'abcdefghij' });
    }
    for (const form of FORMS) expect(parseCustomId(formId(form, 'k2m3n4p5q6'))).toEqual({ kind: 'form', form, ref: 'k2m3n4p5q6' });
  });

  it('ids we did not write mean nothing', () => {
    for (const id of ['i2v:delete:abc', 'other:edit:abc', 'i2v:edit:', 'i2v:edit:a:b', 'i2v:edit:ABC', 'i2v:edit:a b']) expect(parseCustomId(id)).toBeUndefined();
  });
});

const previous: JobOptions = { prompt: 'a fox jumps', preset: 'fast', frames: 17, aspect: 'auto', seed: 42, steps: 6, resolution: 480 };

describe('the edit form’s values', () => {
  it('GIVEN a new prompt and an empty seed THEN the prompt changes and a new seed is drawn', () => {
    const result = optionsFromEditForm({ prompt: 'a fox dances', seed: '', frames: '17', preset: 'fast' }, previous, presets, () => 7);
    expect(result).toEqual({ ok: true, value: { ...previous, prompt: 'a fox dances', seed: 7, negative: undefined } });
  });

  it('GIVEN another preset THEN steps and CFG fall back to that preset’s', () => {
    const result = optionsFromEditForm({ preset: 'quality', seed: '42', frames: '' }, previous, presets, () => 7);
    expect(result.ok && result.value).toMatchObject({ preset: 'quality', frames: undefined, steps: undefined, resolution: undefined, seed: 42 });
  });

  it('GIVEN words where numbers belong THEN a refusal that says what to type', () => {
    const frames = optionsFromEditForm({ frames: 'five seconds' }, previous, presets, () => 7);
    expect(!frames.ok && frames.error.message).toMatch(/“five seconds” is not a number of frames\. Type a whole number between 17 and 81/);
    const seed = optionsFromEditForm({ seed: '1e9' }, previous, presets, () => 7);
    expect(!seed.ok && seed.error.code).toBe('seed_not_a_number');
    const preset = optionsFromEditForm({ preset: 'ultra' }, previous, presets, () => 7);
    expect(!preset.ok && preset.error.code).toBe('unknown_preset');
  });
});

describe('blocked terms and allowed channels', () => {
  it('GIVEN "cat" THEN whole words match in any case, parts of words do not', () => {
    expect(findBlockedTerm('a Cat jumps', ['cat'])).toBe('cat');
    expect(findBlockedTerm('concatenate', ['cat'])).toBeUndefined();
    expect(findBlockedTerm('very  bad', ['very bad'])).toBeUndefined();
    expect(findBlockedTerm('it is very bad.', ['very bad'])).toBe('very bad');
    expect(checkPromptTerms(['fine', undefined], ['gore']).ok).toBe(true);
  });

  it('GIVEN no list THEN every channel; GIVEN a list THEN the answer names them', () => {
    expect(checkChannel('1', []).ok).toBe(true);
    const refused = checkChannel('1', ['100000000000000555']);
    expect(!refused.ok && refused.error.message).toContain('<#100000000000000555>');
  });
});

const record: StoredResult = {
  jobId: 'abcdefghij',
  deliveredAt: 0,
  data: {
    v: 1,
    kind: 'i2v',
    options: { ...previous, negative: 'blur', spoiler: true },
    input: { path: '/data/inputs/abcdefghij.png', width: 640, height: 360 },
    sizeLimit: 10 * 1024 * 1024,
    requester: { userId: '1', name: 'alice' },
    createdAt: 0,
  },
  result: { videoPath: '/v.mp4', bytes: 2_000_000, width: 832, height: 480, frames: 17, fps: 16, durationSeconds: 1.06, seed: 42, gpuSeconds: 12.5, reencoded: false, instance: 'http://gpu1:8188', promptId: 'abcdefghij-a1' },
};

describe('📋 info', () => {
  it('the /i2v line repeats the job: every option a member set, and its seed', () => {
    expect(i2vCommandLine(record)).toBe('/i2v prompt:a fox jumps negative:blur preset:fast frames:17 resolution:480 steps:6 seed:42 spoiler:true');
  });

  it('a prompt too long for one message goes out as a file, never cut', () => {
    const long = { ...record, data: { ...record.data, options: { ...record.data.options, prompt: 'x'.repeat(1990) } } };
    const view = renderInfo(long, undefined);
    expect(view.content.length).toBeLessThanOrEqual(2000);
    expect(view.commandFile).toContain('x'.repeat(1990));
    expect(renderInfo(record, undefined).commandFile).toBeUndefined();
  });
});
