import { apiErrors } from './api-error.ts';
import { changed, memberOf, type State, type StoredMessage } from './state.ts';
import { intents, type WireEmoji } from './wire.ts';

/** Reactions: one per user and emoji, each change dispatched like Discord (MESSAGE_REACTION_ADD/REMOVE). */

const unicodeEmoji = /\p{Extended_Pictographic}|\p{Regional_Indicator}|[#*0-9]\uFE0F?\u20E3/u;

/** `🔁` or `name:id` (custom), as discord.js puts them in the URL; 10014 for anything else. */
export function parseEmoji(raw: string): WireEmoji {
  const custom = /^(?:a:)?([\w-]{2,32}):(\d{17,19})$/.exec(raw);
  if (custom) return { id: custom[2] ?? null, name: custom[1] ?? '' };
  if (!unicodeEmoji.test(raw)) throw apiErrors.unknownEmoji();
  return { id: null, name: raw };
}

const keyOf = (emoji: WireEmoji): string => emoji.id ?? emoji.name;

/** Returns false when the user had already reacted with that emoji (no event, like Discord). */
export function addReaction(state: State, stored: StoredMessage, userId: string, emoji: WireEmoji, roles?: string[]): boolean {
  const key = keyOf(emoji);
  const reaction = stored.reactions.get(key) ?? { emoji, userIds: [] };
  if (reaction.userIds.includes(userId)) return false;
  reaction.userIds.push(userId);
  stored.reactions.set(key, reaction);
  const user = state.users.get(userId);
  const { message } = stored;
  state.dispatch(
    'MESSAGE_REACTION_ADD',
    {
      user_id: userId,
      channel_id: message.channel_id,
      message_id: message.id,
      guild_id: state.guild.id,
      ...(user ? { member: memberOf(state, user, roles ? { roles } : {}) } : {}),
      emoji,
      message_author_id: message.author.id,
      burst: false,
      burst_colors: [],
      type: 0,
    },
    intents.guildMessageReactions,
  );
  changed(state);
  return true;
}

export function removeReaction(state: State, stored: StoredMessage, userId: string, emoji: WireEmoji): boolean {
  const key = keyOf(emoji);
  const reaction = stored.reactions.get(key);
  if (!reaction?.userIds.includes(userId)) return false;
  reaction.userIds = reaction.userIds.filter((id) => id !== userId);
  if (reaction.userIds.length === 0) stored.reactions.delete(key);
  const { message } = stored;
  state.dispatch(
    'MESSAGE_REACTION_REMOVE',
    { user_id: userId, channel_id: message.channel_id, message_id: message.id, guild_id: state.guild.id, emoji, burst: false, type: 0 },
    intents.guildMessageReactions,
  );
  changed(state);
  return true;
}

export function removeAllReactions(state: State, stored: StoredMessage, emoji?: WireEmoji): void {
  const { message } = stored;
  const where = { channel_id: message.channel_id, message_id: message.id, guild_id: state.guild.id };
  if (emoji) {
    stored.reactions.delete(keyOf(emoji));
    state.dispatch('MESSAGE_REACTION_REMOVE_EMOJI', { ...where, emoji }, intents.guildMessageReactions);
  } else {
    stored.reactions.clear();
    state.dispatch('MESSAGE_REACTION_REMOVE_ALL', where, intents.guildMessageReactions);
  }
  changed(state);
}

/** Users who reacted with an emoji, in order, after `after` and up to `limit` (Discord: 25 by default, 100 max). */
export function reactionUsers(state: State, stored: StoredMessage, emoji: WireEmoji, query: URLSearchParams): unknown[] {
  const ids = stored.reactions.get(keyOf(emoji))?.userIds ?? [];
  const after = query.get('after');
  const limit = Math.min(100, Number(query.get('limit') ?? 25) || 25);
  return ids
    .filter((id) => after === null || BigInt(id) > BigInt(after))
    .slice(0, limit)
    .map((id) => state.users.get(id))
    .filter((user) => user !== undefined);
}
