import { ApplicationCommandType, InteractionType, MessageType } from 'discord.js';
import { apiErrors } from './api-error.ts';
import { checkModal } from './components.ts';
import { asPayload, createMessage, editMessage, viewMessage } from './messages.ts';
import { json, noContent, type Route, type RouteContext } from './router.ts';
import type { InteractionRecord, State, StoredMessage } from './state.ts';
import { messageFlags, messageTypes, type WireInteractionMetadata } from './wire.ts';

/** `POST /interactions/{id}/{token}/callback`: once, within 3 s, types 4-9. */

export const callbackTypes = { reply: 4, deferredReply: 5, deferredUpdate: 6, update: 7, autocomplete: 8, modal: 9 } as const;

export function interactionMetadata(state: State, record: InteractionRecord): WireInteractionMetadata {
  const metadata: WireInteractionMetadata = {
    id: record.id,
    type: record.type,
    user: record.user,
    authorizing_integration_owners: { '0': state.guild.id },
  };
  if (record.type === InteractionType.ApplicationCommand) {
    Object.assign(metadata, { name: record.name, command_type: record.commandType ?? ApplicationCommandType.ChatInput });
    if (record.commandType === ApplicationCommandType.Message && record.targetMessageId) metadata.target_message_id = record.targetMessageId;
  }
  if (record.targetMessageId && record.type !== InteractionType.ApplicationCommand) metadata.interacted_message_id = record.targetMessageId;
  if (record.originalMessageId) metadata.original_response_message_id = record.originalMessageId;
  return metadata;
}

function componentTarget(state: State, record: InteractionRecord): StoredMessage {
  const target = record.targetMessageId ? state.messages.get(record.targetMessageId) : undefined;
  // A component's message, or the one a modal was opened from (its submit may update it too).
  if ((record.type !== InteractionType.MessageComponent && record.type !== InteractionType.ModalSubmit) || !target || target.deleted) throw apiErrors.invalidFormBody({ type: 'Interaction response type not valid for this interaction.' });
  return target;
}

function respond(context: RouteContext, record: InteractionRecord, type: number, data: unknown): StoredMessage | undefined {
  const { state, body } = context;
  const asReply = (payload: unknown, platformFlags = 0, allowEmpty = false) =>
    createMessage(state, {
      channelId: record.channelId,
      author: state.botUser,
      payload,
      uploads: body.files,
      uploadLimit: record.attachmentSizeLimit,
      via: 'callback',
      type:
        record.type !== InteractionType.ApplicationCommand
          ? messageTypes.default
          : record.commandType === ApplicationCommandType.Message
            ? MessageType.ContextMenuCommand
            : messageTypes.chatInputCommand,
      platformFlags,
      allowEmpty,
      webhookId: state.applicationId,
      interactionMetadata: interactionMetadata(state, record),
    });
  switch (type) {
    case callbackTypes.reply:
      return asReply(data);
    case callbackTypes.deferredReply: {
      // Only EPHEMERAL is honoured on a deferral; the loading message is what members see.
      const flags = (Number(asPayload(data)['flags'] ?? 0) & messageFlags.ephemeral) as number;
      return asReply({ flags }, messageFlags.loading, true);
    }
    case callbackTypes.deferredUpdate:
      return record.targetMessageId && record.type !== InteractionType.ApplicationCommand ? componentTarget(state, record) : undefined;
    case callbackTypes.update:
      return editMessage(state, componentTarget(state, record), { payload: data, uploads: body.files, uploadLimit: record.attachmentSizeLimit, via: 'callback' });
    case callbackTypes.autocomplete: {
      if (record.type !== 4) throw apiErrors.invalidFormBody({ type: 'Interaction response type not valid for this interaction.' });
      const choices = asPayload(data)['choices'];
      if (!Array.isArray(choices) || choices.length > 25) throw apiErrors.invalidFormBody({ 'data.choices': 'Must be 25 or fewer in length.' });
      record.choices = choices;
      return undefined;
    }
    case callbackTypes.modal:
      // Discord opens a modal only in answer to a command or a component, never to a modal submit.
      if (record.type !== InteractionType.ApplicationCommand && record.type !== InteractionType.MessageComponent) {
        throw apiErrors.invalidFormBody({ type: 'Interaction response type not valid for this interaction.' });
      }
      checkModal(data);
      record.modal = data;
      return undefined;
    default:
      throw apiErrors.invalidFormBody({ type: `Value "${String(type)}" is not a valid enum value.` });
  }
}

export const interactionRoutes: Route[] = [
  {
    method: 'POST',
    path: '/interactions/:id/:token/callback',
    auth: 'none',
    handle(context) {
      const { state, params, query } = context;
      const record = state.interactions.get(params['token'] ?? '');
      if (!record || record.id !== params['id'] || record.expired) throw apiErrors.unknownInteraction();
      if (record.ack && state.rules.singleCallback) throw apiErrors.alreadyAcknowledged();
      const now = state.clock.now();
      if (!record.ack && state.rules.interactionDeadline && now - record.createdAt > state.options.interactionDeadlineMs) throw apiErrors.unknownInteraction();
      const payload = asPayload(context.body.payload);
      const type = Number(payload['type']);
      const message = respond(context, record, type, payload['data']);
      record.ack ??= { type, atMs: now, afterMs: now - record.createdAt };
      if (message && (type === callbackTypes.reply || type === callbackTypes.deferredReply)) record.originalMessageId = message.message.id;
      if (query.get('with_response') !== 'true') return noContent;
      return json({
        interaction: {
          id: record.id,
          type: record.type,
          activity_instance_id: null,
          response_message_id: message?.message.id ?? null,
          response_message_loading: type === callbackTypes.deferredReply,
          response_message_ephemeral: message?.ephemeral ?? false,
        },
        resource: { type, ...(message ? { message: viewMessage(state, message) } : {}) },
      });
    },
  },
];
