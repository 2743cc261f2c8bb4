import { apiErrors } from './api-error.ts';
import { createMessage, deleteMessage, editMessage, viewMessage } from './messages.ts';
import { interactionMetadata } from './routes-interactions.ts';
import { json, noContent, type Route, type RouteContext } from './router.ts';
import type { InteractionRecord, StoredMessage } from './state.ts';
import { messageFlags, messageTypes } from './wire.ts';

/**
 * Interaction webhooks: `@original` and followups, unauthenticated and checked by the
 * interaction token, which dies 15 minutes after the interaction (401/50027).
 */

function interactionOf({ state, params }: RouteContext): InteractionRecord {
  if (params['app'] !== state.applicationId) throw apiErrors.unknownWebhook();
  const record = state.interactions.get(params['token'] ?? '');
  if (!record) throw apiErrors.unknownWebhook();
  const aged = state.rules.tokenLifetime && state.clock.now() - record.createdAt > state.options.tokenLifetimeMs;
  if (record.expired || aged) throw apiErrors.invalidWebhookToken();
  return record;
}

function messageOf(context: RouteContext, record: InteractionRecord): StoredMessage {
  const wanted = context.params['message'];
  const id = wanted === '@original' ? record.originalMessageId : wanted;
  const known = id !== undefined && (id === record.originalMessageId || record.followupIds.includes(id));
  const stored = known ? context.state.messages.get(id) : undefined;
  if (!stored || stored.deleted) throw apiErrors.unknownMessage();
  return stored;
}

const edit = (context: RouteContext, record: InteractionRecord, stored: StoredMessage) =>
  editMessage(context.state, stored, { payload: context.body.payload, uploads: context.body.files, uploadLimit: record.attachmentSizeLimit, via: 'webhook' });

export const webhookRoutes: Route[] = [
  {
    method: 'POST',
    path: '/webhooks/:app/:token',
    auth: 'none',
    handle(context) {
      const record = interactionOf(context);
      if (!record.ack) throw apiErrors.unknownWebhook();
      const { state } = context;
      const original = record.originalMessageId ? state.messages.get(record.originalMessageId) : undefined;
      let stored: StoredMessage;
      if (original && !original.deleted && original.message.flags & messageFlags.loading) {
        // Discord's legacy behaviour: the first followup after a deferral fills the loading message.
        stored = edit(context, record, original);
      } else {
        stored = createMessage(state, {
          channelId: record.channelId,
          author: state.botUser,
          payload: context.body.payload,
          uploads: context.body.files,
          uploadLimit: record.attachmentSizeLimit,
          via: 'webhook',
          type: record.type === 2 ? messageTypes.chatInputCommand : messageTypes.default,
          webhookId: state.applicationId,
          interactionMetadata: interactionMetadata(state, record),
        });
        record.followupIds.push(stored.message.id);
      }
      return context.query.get('wait') === 'true' ? json(viewMessage(state, stored)) : noContent;
    },
  },
  {
    method: 'GET',
    path: '/webhooks/:app/:token/messages/:message',
    auth: 'none',
    handle(context) {
      const record = interactionOf(context);
      return json(viewMessage(context.state, messageOf(context, record)));
    },
  },
  {
    method: 'PATCH',
    path: '/webhooks/:app/:token/messages/:message',
    auth: 'none',
    handle(context) {
      const record = interactionOf(context);
      return json(viewMessage(context.state, edit(context, record, messageOf(context, record))));
    },
  },
  {
    method: 'DELETE',
    path: '/webhooks/:app/:token/messages/:message',
    auth: 'none',
    handle(context) {
      const record = interactionOf(context);
      deleteMessage(context.state, messageOf(context, record));
      return noContent;
    },
  },
];
