import {
  ComponentType,
  TextInputStyle,
  type APILabelComponent,
  type APIModalInteractionResponseCallbackData,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { JobOptions } from '../workflow/jobOptions.ts';
import { listPresets } from '../workflow/loadPresets.ts';
import type { Preset, Presets } from '../workflow/presetSchema.ts';
import { FIELDS, formId, type Field } from '../status/customIds.ts';

/**
 * The modals members fill in (✏️ Edit, ⏩ Extend, Apps → Animate), as Discord JSON, and
 * reading them back. Pure builders: what a form shows comes from the job and the presets.
 * Values are checked after submit (Discord checks only lengths), like /i2v's options.
 */

/** Discord: a modal title ≤ 45 characters, a text input's value ≤ 4000, a label ≤ 45, a select ≤ 25 options. */
const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

function textField(field: Field, label: string, options: { description?: string; value?: string | undefined; paragraph?: boolean; maxLength: number; placeholder?: string }): APILabelComponent {
  return {
    type: ComponentType.Label,
    label,
    ...(options.description ? { description: cut(options.description, 100) } : {}),
    component: {
      type: ComponentType.TextInput,
      custom_id: field,
      style: options.paragraph ? TextInputStyle.Paragraph : TextInputStyle.Short,
      required: false,
      max_length: options.maxLength,
      ...(options.value ? { value: options.value.slice(0, options.maxLength) } : {}),
      ...(options.placeholder ? { placeholder: cut(options.placeholder, 100) } : {}),
    },
  };
}

function presetField(presets: Presets, chosen: string | undefined): APILabelComponent {
  const list = listPresets(presets).slice(0, 25);
  const selected = chosen && presets[chosen] ? chosen : list[0]?.name;
  return {
    type: ComponentType.Label,
    label: 'Preset',
    description: 'Speed versus quality',
    component: {
      type: ComponentType.StringSelect,
      custom_id: FIELDS.preset,
      min_values: 1,
      max_values: 1,
      required: true,
      options: list.map((preset) => ({ label: cut(preset.label, 100), value: preset.name, description: cut(preset.description, 100), default: preset.name === selected })),
    },
  };
}

const promptField = (value: string | undefined) => textField(FIELDS.prompt, 'Prompt', { paragraph: true, maxLength: 2000, value, placeholder: 'What should happen in the video' });

function framesHint(preset: Preset | undefined): string {
  if (!preset) return 'Length in frames, 4k+1 (16 frames ≈ 1 s)';
  const { min, max } = preset.ranges.frames;
  return `4k+1, ${min}–${max} with ${preset.label} (default ${preset.defaults.frames}); 16 ≈ 1 s`;
}

/** ✏️: everything a member usually changes, filled with what made this video. */
export function editForm(jobId: string, options: JobOptions, presets: Presets): APIModalInteractionResponseCallbackData {
  const preset = presets[options.preset];
  return {
    custom_id: formId('edit-form', jobId),
    title: 'Edit and make it again',
    components: [
      promptField(options.prompt),
      textField(FIELDS.negative, 'Negative prompt', { paragraph: true, maxLength: 2000, value: options.negative, description: 'What to avoid; empty uses the preset’s default' }),
      textField(FIELDS.frames, 'Frames', { maxLength: 4, value: String(options.frames ?? preset?.defaults.frames ?? ''), description: framesHint(preset) }),
      textField(FIELDS.seed, 'Seed', { maxLength: 16, value: String(options.seed), description: 'The same seed repeats a result; empty picks a new one' }),
      presetField(presets, options.preset),
    ],
  };
}

/** ⏩: the clip goes on from its last frame; the prompt may change what happens next. */
export function extendForm(jobId: string, prompt: string): APIModalInteractionResponseCallbackData {
  return {
    custom_id: formId('extend-form', jobId),
    title: 'Extend this clip',
    components: [
      textField(FIELDS.prompt, 'What happens next', { paragraph: true, maxLength: 2000, value: prompt, description: 'Continues from the last frame; keep the prompt or change it' }),
    ],
  };
}

/** Apps → Animate: the prompt and the preset for the image of that message. */
export function animateForm(ref: string, presets: Presets): APIModalInteractionResponseCallbackData {
  return {
    custom_id: formId('animate-form', ref),
    title: 'Animate this image',
    components: [promptField(undefined), presetField(presets, undefined)],
  };
}

export type FormValues = Partial<Record<Field, string>>;

/** What was typed (trimmed) and chosen; a field the form did not have is absent. */
export function readForm(interaction: ModalSubmitInteraction): FormValues {
  const values: FormValues = {};
  for (const field of Object.values(FIELDS)) {
    const data = interaction.fields.fields.get(field);
    if (!data) continue;
    if (data.type === ComponentType.TextInput && 'value' in data) values[field] = String(data.value ?? '').trim();
    if (data.type === ComponentType.StringSelect && 'values' in data) values[field] = (data.values as string[] | undefined)?.[0] ?? '';
  }
  return values;
}
