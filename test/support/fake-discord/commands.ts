import { apiErrors } from './api-error.ts';
import type { RegisteredCommand, State } from './state.ts';

/**
 * Application commands as Discord stores them: validated like Discord validates them
 * (so a definition that real Discord would refuse fails here too), then given ids,
 * `application_id` and `version`. Overwriting keeps the id of a command with the
 * same name and type, as Discord does.
 */

const namePattern = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
/** User and message commands (Apps → name) may have capitals and spaces. */
const contextMenuNamePattern = /^[-_ \p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const chatInput = 1;
const optionTypes = { subcommand: 1, subcommandGroup: 2, string: 3, integer: 4, number: 10 } as const;

type Problems = Record<string, string>;

function checkName(name: unknown, at: string, problems: Problems, lowercase: boolean): void {
  if (typeof name !== 'string' || !namePattern.test(name)) problems[`${at}.name`] = 'Invalid name (1-32 letters, digits, - or _).';
  else if (lowercase && name !== name.toLowerCase()) problems[`${at}.name`] = 'Command and option names must be lowercase.';
}

function checkDescription(description: unknown, at: string, problems: Problems): void {
  if (typeof description !== 'string' || description.length < 1 || description.length > 100) problems[`${at}.description`] = 'Must be between 1 and 100 in length.';
}

function checkOptions(options: unknown, at: string, problems: Problems): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options) || options.length > 25) {
    problems[`${at}.options`] = 'Must be 25 or fewer in length.';
    return;
  }
  let optionalSeen = false;
  const names = new Set<string>();
  options.forEach((option: Record<string, unknown>, index) => {
    const where = `${at}.options.${index}`;
    checkName(option['name'], where, problems, true);
    checkDescription(option['description'], where, problems);
    if (names.has(String(option['name']))) problems[`${where}.name`] = 'Option names must be unique.';
    names.add(String(option['name']));
    const type = option['type'];
    if (typeof type !== 'number' || type < 1 || type > 11) problems[`${where}.type`] = 'Invalid option type.';
    if (type === optionTypes.subcommand || type === optionTypes.subcommandGroup) {
      checkOptions(option['options'], where, problems);
      return;
    }
    if (option['required'] === true && optionalSeen) problems[`${where}.required`] = 'Required options must be placed before non-required options.';
    if (option['required'] !== true) optionalSeen = true;
    const choices = option['choices'];
    if (Array.isArray(choices) && choices.length > 25) problems[`${where}.choices`] = 'Must be 25 or fewer in length.';
    if (option['autocomplete'] === true && Array.isArray(choices) && choices.length > 0) problems[`${where}.autocomplete`] = 'Autocomplete cannot be set if choices are present.';
    if (option['autocomplete'] === true && type !== optionTypes.string && type !== optionTypes.integer && type !== optionTypes.number) {
      problems[`${where}.autocomplete`] = 'Autocomplete is only allowed on string, integer and number options.';
    }
  });
}

export function registerCommands(state: State, input: unknown, existing: readonly RegisteredCommand[], guildId?: string): RegisteredCommand[] {
  if (!Array.isArray(input)) throw apiErrors.invalidFormBody({ _root: 'Expected an array of commands.' });
  const problems: Problems = {};
  if (input.length > 100) problems['_root'] = 'Must be 100 or fewer in length.';
  const seen = new Set<string>();
  input.forEach((command: Record<string, unknown>, index) => {
    const type = typeof command['type'] === 'number' ? command['type'] : chatInput;
    if (type === chatInput) {
      checkName(command['name'], String(index), problems, true);
      checkDescription(command['description'], String(index), problems);
      checkOptions(command['options'], String(index), problems);
    } else {
      const name = command['name'];
      if (typeof name !== 'string' || !contextMenuNamePattern.test(name) || name.trim() !== name) problems[`${index}.name`] = 'Invalid name (1-32 characters).';
      if (command['description'] !== undefined && command['description'] !== '') problems[`${index}.description`] = 'Context menu commands cannot have a description.';
      if (command['options'] !== undefined) problems[`${index}.options`] = 'Context menu commands cannot have options.';
    }
    const key = `${type}:${String(command['name'])}`;
    if (seen.has(key)) problems[`${index}.name`] = 'Application command names must be unique.';
    seen.add(key);
  });
  if (Object.keys(problems).length > 0) throw apiErrors.invalidFormBody(problems);
  return input.map((command: Record<string, unknown>) => normalize(state, command, existing, guildId));
}

export function normalize(state: State, command: Record<string, unknown>, existing: readonly RegisteredCommand[], guildId?: string): RegisteredCommand {
  const type = typeof command['type'] === 'number' ? command['type'] : chatInput;
  const name = String(command['name']);
  const previous = existing.find((candidate) => candidate.name === name && candidate.type === type);
  return {
    ...command,
    id: previous?.id ?? state.nextId(),
    application_id: state.applicationId,
    version: state.nextId(),
    type,
    name,
    name_localizations: command['name_localizations'] ?? null,
    description: typeof command['description'] === 'string' ? command['description'] : '',
    description_localizations: command['description_localizations'] ?? null,
    default_member_permissions: command['default_member_permissions'] ?? null,
    nsfw: command['nsfw'] ?? false,
    ...(guildId ? { guild_id: guildId } : { contexts: command['contexts'] ?? null, integration_types: command['integration_types'] ?? [0] }),
  };
}
