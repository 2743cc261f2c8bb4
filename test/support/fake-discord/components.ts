import { ButtonStyle, ComponentType, TextInputStyle } from 'discord.js';
import { apiErrors } from './api-error.ts';

/**
 * Components as Discord checks them: buttons on messages, and modals (callback type 9),
 * with the limits real Discord enforces (a custom_id ≤ 100 characters, 5 buttons a row,
 * 5 rows, 1–5 modal components, a title ≤ 45). And the submit a member's client sends
 * for a modal: the same layout with the typed values, `label` components included.
 */

type Problems = Record<string, string>;
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const tooLong = (value: unknown, max: number) => typeof value !== 'string' || value.length < 1 || value.length > max;

function checkButton(button: Json, at: string, problems: Problems): void {
  const style = button['style'];
  if (typeof style !== 'number' || style < ButtonStyle.Primary || style > ButtonStyle.Premium) problems[`${at}.style`] = 'Value must be one of (1, 2, 3, 4, 5, 6).';
  if (style === ButtonStyle.Link) {
    if (typeof button['url'] !== 'string') problems[`${at}.url`] = 'A link button needs a url.';
  } else if (style !== ButtonStyle.Premium && tooLong(button['custom_id'], 100)) {
    problems[`${at}.custom_id`] = 'Must be between 1 and 100 in length.';
  }
  if (button['label'] !== undefined && tooLong(button['label'], 80)) problems[`${at}.label`] = 'Must be between 1 and 80 in length.';
  if (button['label'] === undefined && button['emoji'] === undefined) problems[`${at}`] = 'A button needs a label or an emoji.';
}

/** Legacy (non-V2) message components: action rows of buttons or one select. */
export function checkMessageComponents(components: unknown): void {
  if (components === undefined || components === null) return;
  const problems: Problems = {};
  if (!Array.isArray(components) || components.length > 5) throw apiErrors.invalidFormBody({ components: 'Must be 5 or fewer in length.' });
  const ids = new Set<string>();
  components.forEach((row: unknown, index) => {
    const at = `components.${index}`;
    if (!isObject(row) || row['type'] !== ComponentType.ActionRow || !Array.isArray(row['components'])) {
      problems[at] = 'Expected an action row.';
      return;
    }
    const inner = row['components'] as unknown[];
    if (inner.length < 1 || inner.length > 5) problems[`${at}.components`] = 'Must be between 1 and 5 in length.';
    inner.forEach((component, position) => {
      const where = `${at}.components.${position}`;
      if (!isObject(component)) return void (problems[where] = 'Expected a component.');
      if (component['type'] === ComponentType.Button) checkButton(component, where, problems);
      const id = component['custom_id'];
      if (typeof id === 'string') {
        if (ids.has(id)) problems[`${where}.custom_id`] = 'Component custom id cannot be duplicated.';
        ids.add(id);
      }
    });
  });
  if (Object.keys(problems).length > 0) throw apiErrors.invalidFormBody(problems);
}

function checkTextInput(input: Json, at: string, problems: Problems, inLabel: boolean): void {
  if (tooLong(input['custom_id'], 100)) problems[`${at}.custom_id`] = 'Must be between 1 and 100 in length.';
  if (input['style'] !== TextInputStyle.Short && input['style'] !== TextInputStyle.Paragraph) problems[`${at}.style`] = 'Value must be one of (1, 2).';
  if (inLabel && input['label'] !== undefined) problems[`${at}.label`] = 'A text input inside a label has no label of its own.';
  if (!inLabel && tooLong(input['label'], 45)) problems[`${at}.label`] = 'Must be between 1 and 45 in length.';
  const max = input['max_length'];
  if (max !== undefined && (typeof max !== 'number' || max < 1 || max > 4000)) problems[`${at}.max_length`] = 'Must be between 1 and 4000.';
  const value = input['value'];
  if (value !== undefined && (typeof value !== 'string' || value.length > (typeof max === 'number' ? max : 4000))) problems[`${at}.value`] = 'Longer than max_length.';
  if (input['placeholder'] !== undefined && tooLong(input['placeholder'], 100)) problems[`${at}.placeholder`] = 'Must be between 1 and 100 in length.';
}

function checkSelect(select: Json, at: string, problems: Problems): void {
  if (tooLong(select['custom_id'], 100)) problems[`${at}.custom_id`] = 'Must be between 1 and 100 in length.';
  const options = select['options'];
  if (!Array.isArray(options) || options.length < 1 || options.length > 25) problems[`${at}.options`] = 'Must be between 1 and 25 in length.';
  else {
    options.forEach((option: unknown, index) => {
      if (!isObject(option) || tooLong(option['label'], 100) || tooLong(option['value'], 100)) problems[`${at}.options.${index}`] = 'label and value must be 1–100 characters.';
    });
  }
}

/** Type 9 data: a title, a custom id, 1–5 labels (or legacy rows of one text input). */
export function checkModal(data: unknown): void {
  const problems: Problems = {};
  if (!isObject(data)) throw apiErrors.invalidFormBody({ data: 'Expected a modal.' });
  if (tooLong(data['custom_id'], 100)) problems['data.custom_id'] = 'Must be between 1 and 100 in length.';
  if (tooLong(data['title'], 45)) problems['data.title'] = 'Must be between 1 and 45 in length.';
  const components = data['components'];
  if (!Array.isArray(components) || components.length < 1 || components.length > 5) problems['data.components'] = 'Must be between 1 and 5 in length.';
  else {
    components.forEach((component: unknown, index) => {
      const at = `data.components.${index}`;
      if (!isObject(component)) return void (problems[at] = 'Expected a component.');
      if (component['type'] === ComponentType.Label) {
        if (tooLong(component['label'], 45)) problems[`${at}.label`] = 'Must be between 1 and 45 in length.';
        if (component['description'] !== undefined && tooLong(component['description'], 100)) problems[`${at}.description`] = 'Must be between 1 and 100 in length.';
        const inner = component['component'];
        if (!isObject(inner)) problems[`${at}.component`] = 'A label wraps one component.';
        else if (inner['type'] === ComponentType.TextInput) checkTextInput(inner, `${at}.component`, problems, true);
        else if (inner['type'] === ComponentType.StringSelect) checkSelect(inner, `${at}.component`, problems);
        else problems[`${at}.component.type`] = 'Not a component a modal label can hold here.';
      } else if (component['type'] === ComponentType.ActionRow) {
        const inner = component['components'];
        if (!Array.isArray(inner) || inner.length !== 1 || !isObject(inner[0]) || inner[0]['type'] !== ComponentType.TextInput) problems[`${at}.components`] = 'A modal row holds exactly one text input.';
        else checkTextInput(inner[0], `${at}.components.0`, problems, false);
      } else if (component['type'] !== ComponentType.TextDisplay) {
        problems[`${at}.type`] = 'Not a modal component.';
      }
    });
  }
  if (Object.keys(problems).length > 0) throw apiErrors.invalidFormBody(problems);
}

/** What a member types: text for text inputs, the chosen value(s) for selects. Unnamed fields keep their prefilled value. */
export type ModalValues = Record<string, string | string[]>;

/**
 * The `data` of the type-5 interaction a client sends when the member presses Submit:
 * `custom_id` and the components with `value`/`values`, in the modal's own layout.
 * Like the client, it refuses to submit an empty required field or too long a text.
 */
export function modalSubmission(modal: unknown, values: ModalValues): Json {
  checkModal(modal);
  const data = modal as Json;
  const used = new Set<string>();
  let nextId = 1;
  const fill = (component: Json): Json => {
    const id = nextId++;
    const customId = String(component['custom_id']);
    const given = values[customId];
    if (given !== undefined) used.add(customId);
    if (component['type'] === ComponentType.TextInput) {
      const value = given === undefined ? String(component['value'] ?? '') : Array.isArray(given) ? given.join('') : given;
      if (component['required'] !== false && value === '') throw new Error(`fake-discord: the client will not submit an empty required field "${customId}"`);
      if (typeof component['max_length'] === 'number' && value.length > component['max_length']) throw new Error(`fake-discord: "${customId}" is longer than its max_length`);
      return { type: ComponentType.TextInput, id, custom_id: customId, value };
    }
    const options = (component['options'] as Json[]).map((option) => String(option['value']));
    const chosen = given === undefined ? (component['options'] as Json[]).filter((option) => option['default'] === true).map((option) => String(option['value'])) : Array.isArray(given) ? given : [given];
    for (const value of chosen) if (!options.includes(value)) throw new Error(`fake-discord: "${value}" is not an option of "${customId}" (${options.join(', ')})`);
    if (component['required'] !== false && chosen.length === 0) throw new Error(`fake-discord: the client will not submit an empty required select "${customId}"`);
    return { type: ComponentType.StringSelect, id, custom_id: customId, values: chosen };
  };
  const components = (data['components'] as Json[]).map((component) => {
    const id = nextId++;
    if (component['type'] === ComponentType.Label) return { type: ComponentType.Label, id, component: fill(component['component'] as Json) };
    if (component['type'] === ComponentType.ActionRow) return { type: ComponentType.ActionRow, id, components: (component['components'] as Json[]).map(fill) };
    return { type: component['type'], id };
  });
  const unknown = Object.keys(values).filter((name) => !used.has(name));
  if (unknown.length > 0) throw new Error(`fake-discord: the modal "${String(data['custom_id'])}" has no field ${unknown.map((name) => `"${name}"`).join(', ')}`);
  return { custom_id: data['custom_id'], components };
}
