import { apiErrors } from './api-error.ts';
import { createMessage, deleteMessage, editMessage, findMessage, viewMessage } from './messages.ts';
import { addReaction, parseEmoji, reactionUsers, removeAllReactions, removeReaction } from './reactions.ts';
import { json, noContent, type Route, type RouteContext } from './router.ts';
import type { State, StoredMessage } from './state.ts';
import type { WireChannel } from './wire.ts';

/** Bot-token channel routes: messages (the fallback after the 15-minute rule) and reactions. */

function channelOf(state: State, channelId: string | undefined): WireChannel {
  const channel = channelId === undefined ? undefined : state.channels.get(channelId);
  if (!channel) throw apiErrors.unknownChannel();
  return channel;
}

function messageAt({ state, params }: RouteContext) {
  const channel = channelOf(state, params['channel']);
  return findMessage(state, channel.id, params['message'] ?? '');
}

function listMessages({ state, params, query }: RouteContext): unknown[] {
  const channel = channelOf(state, params['channel']);
  const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 50) || 50));
  const live = (state.messageOrder.get(channel.id) ?? [])
    .map((id) => state.messages.get(id))
    .filter((stored): stored is StoredMessage => stored !== undefined && !stored.deleted && !stored.ephemeral);
  const before = query.get('before');
  const after = query.get('after');
  const around = query.get('around');
  let picked = live;
  if (before) picked = live.filter((stored) => BigInt(stored.message.id) < BigInt(before)).slice(-limit);
  else if (after) picked = live.filter((stored) => BigInt(stored.message.id) > BigInt(after)).slice(0, limit);
  else if (around) {
    const index = live.findIndex((stored) => BigInt(stored.message.id) >= BigInt(around));
    const start = Math.max(0, (index < 0 ? live.length : index) - Math.floor(limit / 2));
    picked = live.slice(start, start + limit);
  } else picked = live.slice(-limit);
  // Discord lists newest first.
  return picked.map((stored) => viewMessage(state, stored)).reverse();
}

export const channelRoutes: Route[] = [
  { method: 'GET', path: '/channels/:channel', auth: 'bot', handle: ({ state, params }) => json(channelOf(state, params['channel'])) },
  { method: 'GET', path: '/channels/:channel/messages', auth: 'bot', handle: (context) => json(listMessages(context)) },
  {
    method: 'POST',
    path: '/channels/:channel/messages',
    auth: 'bot',
    handle({ state, params, body }) {
      const channel = channelOf(state, params['channel']);
      const stored = createMessage(state, {
        channelId: channel.id,
        author: state.botUser,
        payload: body.payload,
        uploads: body.files,
        uploadLimit: state.options.channelUploadLimit,
        via: 'channel',
      });
      return json(viewMessage(state, stored));
    },
  },
  { method: 'GET', path: '/channels/:channel/messages/:message', auth: 'bot', handle: (context) => json(viewMessage(context.state, messageAt(context))) },
  {
    method: 'PATCH',
    path: '/channels/:channel/messages/:message',
    auth: 'bot',
    handle(context) {
      const { state, body } = context;
      const stored = messageAt(context);
      if (stored.message.author.id !== state.botUser.id) throw apiErrors.cannotEditOthers();
      editMessage(state, stored, { payload: body.payload, uploads: body.files, uploadLimit: state.options.channelUploadLimit, via: 'channel' });
      return json(viewMessage(state, stored));
    },
  },
  {
    method: 'DELETE',
    path: '/channels/:channel/messages/:message',
    auth: 'bot',
    handle(context) {
      deleteMessage(context.state, messageAt(context));
      return noContent;
    },
  },
  {
    method: 'PUT',
    path: '/channels/:channel/messages/:message/reactions/:emoji/@me',
    auth: 'bot',
    handle(context) {
      addReaction(context.state, messageAt(context), context.state.botUser.id, parseEmoji(context.params['emoji'] ?? ''));
      return noContent;
    },
  },
  {
    method: 'DELETE',
    path: '/channels/:channel/messages/:message/reactions/:emoji/:user',
    auth: 'bot',
    handle(context) {
      const { state, params } = context;
      const userId = params['user'] === '@me' ? state.botUser.id : (params['user'] ?? '');
      removeReaction(state, messageAt(context), userId, parseEmoji(params['emoji'] ?? ''));
      return noContent;
    },
  },
  {
    method: 'GET',
    path: '/channels/:channel/messages/:message/reactions/:emoji',
    auth: 'bot',
    handle: (context) => json(reactionUsers(context.state, messageAt(context), parseEmoji(context.params['emoji'] ?? ''), context.query)),
  },
  {
    method: 'DELETE',
    path: '/channels/:channel/messages/:message/reactions/:emoji',
    auth: 'bot',
    handle(context) {
      removeAllReactions(context.state, messageAt(context), parseEmoji(context.params['emoji'] ?? ''));
      return noContent;
    },
  },
  {
    method: 'DELETE',
    path: '/channels/:channel/messages/:message/reactions',
    auth: 'bot',
    handle(context) {
      removeAllReactions(context.state, messageAt(context));
      return noContent;
    },
  },
];
