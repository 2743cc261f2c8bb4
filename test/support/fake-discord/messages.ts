import { apiErrors } from './api-error.ts';
import { checkMessageComponents } from './components.ts';
import type { Upload } from './body.ts';
import { storeAttachment } from './cdn.ts';
import { changed, isoTime, memberOf, type MessageSource, type State, type StoredMessage } from './state.ts';
import { intents, messageFlags, messageTypes, type WireAttachment, type WireInteractionMetadata, type WireMessage, type WireUser } from './wire.ts';

/** Creating, editing and deleting messages the way Discord v10 does, for every route that can. */

export type NewMessage = {
  channelId: string;
  author: WireUser;
  payload: unknown;
  uploads: Upload[];
  /** Per-attachment byte limit of the route (interaction's or the channel's). */
  uploadLimit: number;
  via: MessageSource;
  type?: number;
  /** Flags the platform sets itself (LOADING on a deferral). */
  platformFlags?: number;
  /** Loading messages may be empty; everything else may not. */
  allowEmpty?: boolean;
  webhookId?: string;
  interactionMetadata?: WireInteractionMetadata;
  /** Files already on the CDN (a member's own message, posted by the driver). */
  attachments?: WireAttachment[];
};

const settableFlags = messageFlags.suppressEmbeds | messageFlags.suppressNotifications | messageFlags.isComponentsV2;

export function asPayload(payload: unknown): Record<string, unknown> {
  if (payload === undefined || payload === null) return {};
  if (typeof payload !== 'object' || Array.isArray(payload)) throw apiErrors.invalidFormBody({ _root: 'Expected an object.' });
  return payload as Record<string, unknown>;
}

function checkFields(payload: Record<string, unknown>): void {
  const content = payload['content'];
  if (content !== undefined && content !== null && typeof content !== 'string') throw apiErrors.invalidFormBody({ content: 'Could not interpret as string.' });
  if (typeof content === 'string' && content.length > 2000) throw apiErrors.invalidFormBody({ content: 'Must be 2000 or fewer in length.' });
  const embeds = payload['embeds'];
  if (embeds !== undefined && embeds !== null && (!Array.isArray(embeds) || embeds.length > 10)) throw apiErrors.invalidFormBody({ embeds: 'Must be 10 or fewer in length.' });
  if ((Number(payload['flags'] ?? 0) & messageFlags.isComponentsV2) === 0) checkMessageComponents(payload['components']);
}

/** v10 semantics: no `attachments` keeps what is there (plus uploads); a list keeps only the listed ids plus uploads. */
function resolveAttachments(state: State, channelId: string, payload: Record<string, unknown>, uploads: Upload[], uploadLimit: number, existing: WireAttachment[]): WireAttachment[] {
  const entries = Array.isArray(payload['attachments']) ? (payload['attachments'] as Array<Record<string, unknown>>) : undefined;
  const kept = entries === undefined ? existing : existing.filter((attachment) => entries.some((entry) => String(entry['id']) === attachment.id));
  if (state.rules.uploadLimits) {
    if (uploads.some((upload) => upload.data.length > uploadLimit)) throw apiErrors.entityTooLarge();
    if (kept.length + uploads.length > 10) throw apiErrors.tooManyAttachments();
  }
  const added = uploads.map((upload) => {
    const entry = entries?.find((candidate) => String(candidate['id']) === String(upload.index));
    const filename = typeof entry?.['filename'] === 'string' ? entry['filename'] : upload.filename;
    const attachment = storeAttachment(state, 'attachments', channelId, { filename, data: upload.data, contentType: upload.contentType });
    if (typeof entry?.['description'] === 'string') attachment.description = entry['description'];
    if (typeof entry?.['title'] === 'string') attachment.title = entry['title'];
    return attachment;
  });
  return [...kept, ...added];
}

function isEmpty(message: WireMessage): boolean {
  return message.content === '' && message.embeds.length === 0 && message.attachments.length === 0 && message.components.length === 0;
}

function record(state: State, stored: StoredMessage, via: MessageSource): void {
  const { content, embeds, components, attachments, flags } = stored.message;
  stored.versions.push({ atMs: state.clock.now(), via, content, embeds, components, attachments, flags });
}

export function createMessage(state: State, input: NewMessage): StoredMessage {
  const payload = asPayload(input.payload);
  checkFields(payload);
  const requestedFlags = typeof payload['flags'] === 'number' ? payload['flags'] : 0;
  const ephemeral = input.interactionMetadata !== undefined && (requestedFlags & messageFlags.ephemeral) !== 0;
  const reference = replyReference(state, input.channelId, payload['message_reference']);
  const id = state.nextId();
  const message: WireMessage = {
    id,
    channel_id: input.channelId,
    guild_id: state.guild.id,
    author: input.author,
    content: typeof payload['content'] === 'string' ? payload['content'] : '',
    timestamp: isoTime(state.clock.now()),
    edited_timestamp: null,
    tts: payload['tts'] === true,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [...(input.attachments ?? []), ...resolveAttachments(state, input.channelId, payload, input.uploads, input.uploadLimit, [])],
    embeds: normalizeEmbeds(payload['embeds']) ?? [],
    components: Array.isArray(payload['components']) ? payload['components'] : [],
    pinned: false,
    flags: (requestedFlags & settableFlags) | (ephemeral ? messageFlags.ephemeral : 0) | (input.platformFlags ?? 0),
    type: input.type ?? (reference ? messageTypes.reply : messageTypes.default),
  };
  if (typeof payload['nonce'] === 'string' || typeof payload['nonce'] === 'number') message.nonce = payload['nonce'];
  if (reference) {
    message.message_reference = { type: 0, message_id: reference.message.id, channel_id: reference.message.channel_id, guild_id: state.guild.id };
    message.referenced_message = viewMessage(state, reference);
  }
  if (input.webhookId) {
    message.webhook_id = input.webhookId;
    message.application_id = state.applicationId;
  }
  if (input.interactionMetadata) message.interaction_metadata = input.interactionMetadata;
  if (!input.allowEmpty && isEmpty(message)) throw apiErrors.emptyMessage();
  const stored: StoredMessage = { message, deleted: false, ephemeral, versions: [], reactions: new Map() };
  record(state, stored, input.via);
  state.messages.set(id, stored);
  const order = state.messageOrder.get(input.channelId) ?? [];
  order.push(id);
  state.messageOrder.set(input.channelId, order);
  const channel = state.channels.get(input.channelId);
  if (channel && !ephemeral) channel.last_message_id = id;
  if (!ephemeral) {
    const member = input.webhookId ? {} : { member: { ...memberOf(state, input.author), user: undefined } };
    state.dispatch('MESSAGE_CREATE', { ...viewMessage(state, stored), ...member }, intents.guildMessages);
  }
  changed(state);
  return stored;
}

export function editMessage(state: State, stored: StoredMessage, input: { payload: unknown; uploads: Upload[]; uploadLimit: number; via: MessageSource }): StoredMessage {
  const payload = asPayload(input.payload);
  checkFields(payload);
  const before = stored.message;
  const wasLoading = (before.flags & messageFlags.loading) !== 0;
  const next: WireMessage = { ...before };
  if ('content' in payload) next.content = typeof payload['content'] === 'string' ? payload['content'] : '';
  const embeds = normalizeEmbeds(payload['embeds']);
  if (embeds) next.embeds = embeds;
  if (Array.isArray(payload['components'])) next.components = payload['components'];
  if (typeof payload['flags'] === 'number') next.flags = (before.flags & ~settableFlags) | (payload['flags'] & settableFlags) | (before.flags & messageFlags.isComponentsV2);
  next.flags &= ~messageFlags.loading;
  next.attachments = resolveAttachments(state, before.channel_id, payload, input.uploads, input.uploadLimit, before.attachments);
  // The first edit of a deferral is the answer itself, not an edit of something a member saw.
  next.edited_timestamp = wasLoading ? null : isoTime(state.clock.now());
  if (isEmpty(next)) throw apiErrors.emptyMessage();
  stored.message = next;
  record(state, stored, input.via);
  if (!stored.ephemeral) state.dispatch('MESSAGE_UPDATE', viewMessage(state, stored), intents.guildMessages);
  changed(state);
  return stored;
}

export function deleteMessage(state: State, stored: StoredMessage): void {
  stored.deleted = true;
  if (!stored.ephemeral) {
    state.dispatch('MESSAGE_DELETE', { id: stored.message.id, channel_id: stored.message.channel_id, guild_id: state.guild.id }, intents.guildMessages);
  }
  changed(state);
}

/** The message as the bot sees it: reactions counted, `me` meaning the bot. */
export function viewMessage(state: State, stored: StoredMessage): WireMessage {
  const view: WireMessage = { ...stored.message };
  if (stored.reactions.size > 0) {
    view.reactions = [...stored.reactions.values()].map(({ emoji, userIds }) => ({
      count: userIds.length,
      count_details: { burst: 0, normal: userIds.length },
      me: userIds.includes(state.botUser.id),
      me_burst: false,
      burst_colors: [],
      emoji,
    }));
  }
  return view;
}

/** A live (not deleted) message in a channel, or 10008 like Discord. */
export function findMessage(state: State, channelId: string, messageId: string): StoredMessage {
  const stored = state.messages.get(messageId);
  if (!stored || stored.deleted || stored.ephemeral || stored.message.channel_id !== channelId) throw apiErrors.unknownMessage();
  return stored;
}

function replyReference(state: State, channelId: string, reference: unknown): StoredMessage | undefined {
  if (typeof reference !== 'object' || reference === null) return undefined;
  const { message_id: messageId, fail_if_not_exists: failIfMissing } = reference as Record<string, unknown>;
  if (typeof messageId !== 'string') return undefined;
  const target = state.messages.get(messageId);
  if (target && !target.deleted && target.message.channel_id === channelId) return target;
  if (failIfMissing === false) return undefined;
  throw apiErrors.invalidFormBody({ 'message_reference': 'Unknown message' });
}

function normalizeEmbeds(embeds: unknown): unknown[] | undefined {
  if (!Array.isArray(embeds)) return undefined;
  return embeds.map((embed: unknown) => (typeof embed === 'object' && embed !== null ? { type: 'rich', ...embed } : embed));
}
