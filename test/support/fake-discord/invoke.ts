import { randomBytes } from 'node:crypto';
import { ApplicationCommandType, InteractionType } from 'discord.js';
import { storeAttachment, type CdnFile } from './cdn.ts';
import { changed, ensureUser, memberOf, permissionsOf, type InteractionRecord, type RegisteredCommand, type State } from './state.ts';
import type { WireAttachment } from './wire.ts';

/** Building the INTERACTION_CREATE a member's click or slash command would produce. */

export type InvokeFile = CdnFile;
export type InvokeAttachment = InvokeFile | { option: string; file: InvokeFile };
export type OptionValue = string | number | boolean;

export type InvokeAs = {
  /** Who acts; a plain member made on demand when omitted (the same one every time). */
  user?: { id?: string; username?: string };
  /** Role ids the member has (see `createRole`). */
  roles?: string[];
  /** The member's permissions in the channel; default computed from @everyone and `roles`. */
  permissions?: bigint | string;
  channelId?: string;
  /** `attachment_size_limit` of this interaction; default from the fake's options. */
  attachmentSizeLimit?: number;
};

export type InvokeCommand = InvokeAs & {
  name: string;
  options?: Record<string, OptionValue>;
  subcommand?: string;
  subcommandGroup?: string;
  /** Bound to the option `image` unless given as `{ option, file }`. */
  attachment?: InvokeAttachment | InvokeAttachment[];
};

export type InvokeAutocomplete = InvokeAs & {
  name: string;
  options?: Record<string, OptionValue>;
  /** The option being typed into; its value in `options` is the partial text. */
  focused: string;
  subcommand?: string;
  subcommandGroup?: string;
};

export type ClickButton = InvokeAs & { messageId: string; customId: string };

/** Apps → `name` on a message: a message command, its target resolved in the interaction. */
export type InvokeMessageCommand = InvokeAs & { name: string; messageId: string };

const optionType = { subcommand: 1, subcommandGroup: 2, string: 3, integer: 4, boolean: 5, user: 6, channel: 7, role: 8, mentionable: 9, number: 10, attachment: 11 } as const;

function registered(state: State, name: string): RegisteredCommand | undefined {
  const guildCommands = state.commands.guild.get(state.guild.id) ?? [];
  return [...guildCommands, ...state.commands.global].find((command) => command.name === name && command.type === 1);
}

type OptionDefinition = { name: string; type: number; options?: OptionDefinition[] };

function definitionsFor(command: RegisteredCommand | undefined, group?: string, subcommand?: string): OptionDefinition[] | undefined {
  let options = command?.['options'] as OptionDefinition[] | undefined;
  if (!command) return undefined;
  if (group) options = options?.find((option) => option.name === group)?.options;
  if (subcommand) options = options?.find((option) => option.name === subcommand)?.options;
  return options ?? [];
}

function typeOf(name: string, value: OptionValue, definitions: OptionDefinition[] | undefined, commandName: string): number {
  if (definitions) {
    const definition = definitions.find((option) => option.name === name);
    if (!definition) throw new Error(`fake-discord: /${commandName} has no option "${name}" (registered: ${definitions.map((option) => option.name).join(', ') || 'none'})`);
    return definition.type;
  }
  if (typeof value === 'boolean') return optionType.boolean;
  if (typeof value === 'number') return Number.isInteger(value) ? optionType.integer : optionType.number;
  return optionType.string;
}

function buildData(state: State, spec: { name: string; options?: Record<string, OptionValue>; subcommand?: string | undefined; subcommandGroup?: string | undefined; focused?: string; attachments?: Array<{ option: string; file: InvokeFile }> }) {
  const command = registered(state, spec.name);
  const definitions = definitionsFor(command, spec.subcommandGroup, spec.subcommand);
  const resolved: Record<string, Record<string, unknown>> = {};
  const resolve = (kind: string, id: string, value: unknown) => ((resolved[kind] ??= {})[id] = value);
  let options: Array<Record<string, unknown>> = Object.entries(spec.options ?? {}).map(([name, value]) => {
    const type = typeOf(name, value, definitions, spec.name);
    const option: Record<string, unknown> = { name, type, value: type === optionType.string ? String(value) : value };
    if (spec.focused === name) option['focused'] = true;
    if (type === optionType.user || type === optionType.mentionable) {
      const user = ensureUser(state, { id: String(value) });
      resolve('users', user.id, user);
      resolve('members', user.id, { ...memberOf(state, user), user: undefined, permissions: permissionsOf(state, []) });
    }
    if (type === optionType.channel) resolve('channels', String(value), state.channels.get(String(value)));
    if (type === optionType.role) resolve('roles', String(value), state.guild.roles.find((role) => role.id === String(value)));
    return option;
  });
  for (const { option, file } of spec.attachments ?? []) {
    if (definitions) typeOf(option, '', definitions, spec.name);
    const attachment: WireAttachment = storeAttachment(state, 'ephemeral-attachments', command?.id ?? state.guild.id, file);
    resolve('attachments', attachment.id, attachment);
    options.push({ name: option, type: optionType.attachment, value: attachment.id });
  }
  if (spec.subcommand) options = [{ name: spec.subcommand, type: optionType.subcommand, options }];
  if (spec.subcommandGroup) options = [{ name: spec.subcommandGroup, type: optionType.subcommandGroup, options }];
  return {
    id: command?.id ?? state.nextId(),
    name: spec.name,
    type: 1,
    ...(command?.['guild_id'] ? { guild_id: command['guild_id'] } : {}),
    options,
    ...(Object.keys(resolved).length > 0 ? { resolved } : {}),
  };
}

export function boundAttachments(attachment: InvokeAttachment | InvokeAttachment[] | undefined): Array<{ option: string; file: InvokeFile }> {
  const list = attachment === undefined ? [] : Array.isArray(attachment) ? attachment : [attachment];
  const bound = list.map((item) => ('file' in item ? item : { option: 'image', file: item }));
  if (new Set(bound.map((item) => item.option)).size !== bound.length) throw new Error('fake-discord: two attachments for one option; bind them with { option, file }');
  return bound;
}

/** Registers the interaction (its token starts ageing now) and dispatches INTERACTION_CREATE. */
export function createInteraction(state: State, type: number, as: InvokeAs, name: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}): InteractionRecord {
  const user = ensureUser(state, as.user ?? { id: state.defaultMemberId });
  const roles = as.roles ?? state.memberRoles.get(user.id) ?? [];
  state.memberRoles.set(user.id, roles);
  const channelId = as.channelId ?? state.defaultChannelId;
  const channel = state.channels.get(channelId);
  if (!channel) throw new Error(`fake-discord: unknown channel ${channelId}`);
  const permissions = as.permissions === undefined ? permissionsOf(state, roles) : String(as.permissions);
  const record: InteractionRecord = {
    id: state.nextId(),
    token: `aW50ZXJhY3Rpb24.${randomBytes(48).toString('base64url')}`,
    type,
    name,
    createdAt: state.clock.now(),
    channelId,
    guildId: state.guild.id,
    user,
    attachmentSizeLimit: as.attachmentSizeLimit ?? state.options.attachmentSizeLimit,
    followupIds: [],
    expired: false,
  };
  if (typeof extra['targetMessageId'] === 'string') record.targetMessageId = extra['targetMessageId'];
  if (typeof extra['commandType'] === 'number') record.commandType = extra['commandType'];
  state.interactions.set(record.token, record);
  const { targetMessageId: _ignored, commandType: _type, ...payloadExtra } = extra;
  state.dispatch('INTERACTION_CREATE', {
    id: record.id,
    application_id: state.applicationId,
    type,
    token: record.token,
    version: 1,
    guild_id: state.guild.id,
    guild: { id: state.guild.id, locale: 'en-US', features: [] },
    channel_id: channelId,
    channel,
    member: memberOf(state, user, { roles, permissions }),
    app_permissions: state.options.appPermissions,
    locale: 'en-US',
    guild_locale: 'en-US',
    context: 0,
    entitlements: [],
    authorizing_integration_owners: { '0': state.guild.id },
    attachment_size_limit: record.attachmentSizeLimit,
    data,
    ...payloadExtra,
  });
  changed(state);
  return record;
}

export function commandInteraction(state: State, spec: InvokeCommand): InteractionRecord {
  const data = buildData(state, { ...spec, attachments: boundAttachments(spec.attachment) });
  return createInteraction(state, 2, spec, spec.name, data);
}

export function autocompleteInteraction(state: State, spec: InvokeAutocomplete): InteractionRecord {
  const data = buildData(state, spec);
  return createInteraction(state, 4, spec, spec.name, data);
}

export function buttonInteraction(state: State, spec: ClickButton, message: unknown): InteractionRecord {
  return createInteraction(state, 3, spec, spec.customId, { custom_id: spec.customId, component_type: 2 }, { message, targetMessageId: spec.messageId });
}

/** What Discord sends for Apps → name: `data.type` 3, `target_id`, and the whole message under `resolved.messages`. */
export function messageCommandInteraction(state: State, spec: InvokeMessageCommand, target: unknown): InteractionRecord {
  const guildCommands = state.commands.guild.get(state.guild.id) ?? [];
  const command = [...guildCommands, ...state.commands.global].find((candidate) => candidate.name === spec.name && candidate.type === ApplicationCommandType.Message);
  if (!command) throw new Error(`fake-discord: no message command "${spec.name}" is registered; Discord shows only registered ones under Apps`);
  const data = {
    id: command.id,
    name: spec.name,
    type: ApplicationCommandType.Message,
    ...(command['guild_id'] ? { guild_id: command['guild_id'] } : {}),
    target_id: spec.messageId,
    resolved: { messages: { [spec.messageId]: target } },
  };
  return createInteraction(state, InteractionType.ApplicationCommand, spec, spec.name, data, { targetMessageId: spec.messageId, commandType: ApplicationCommandType.Message });
}

/** The member pressed Submit on a modal the bot opened from `origin` (a command or a button). */
export function modalSubmitInteraction(state: State, origin: InteractionRecord, data: Record<string, unknown>, as: InvokeAs, message: unknown): InteractionRecord {
  const fromMessage = origin.type === InteractionType.MessageComponent && origin.targetMessageId !== undefined;
  const extra: Record<string, unknown> = fromMessage ? { message, targetMessageId: origin.targetMessageId } : {};
  return createInteraction(state, InteractionType.ModalSubmit, { channelId: origin.channelId, attachmentSizeLimit: origin.attachmentSizeLimit, ...as }, String(data['custom_id']), data, extra);
}
