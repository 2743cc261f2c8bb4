/** Discord's JSON shapes, as much of them as discord.js reads and the bot's tests look at. */

export type WireUser = {
  id: string;
  username: string;
  discriminator: '0';
  global_name: string | null;
  avatar: null;
  bot?: boolean;
  public_flags: number;
};

export type WireRole = {
  id: string;
  name: string;
  permissions: string;
  position: number;
  color: number;
  hoist: boolean;
  managed: boolean;
  mentionable: boolean;
  flags: number;
};

export type WireMember = {
  user: WireUser;
  roles: string[];
  joined_at: string;
  deaf: boolean;
  mute: boolean;
  flags: number;
  nick: null;
  avatar: null;
  pending: boolean;
  premium_since: null;
  communication_disabled_until: null;
  /** Only inside interactions: the member's permissions in the channel. */
  permissions?: string;
};

export type WireChannel = {
  id: string;
  type: number;
  name: string;
  guild_id: string;
  position: number;
  permission_overwrites: unknown[];
  parent_id: null;
  nsfw: boolean;
  topic: null;
  last_message_id: string | null;
  rate_limit_per_user: number;
};

export type WireAttachment = {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
  width?: number;
  height?: number;
  ephemeral?: boolean;
  description?: string;
  title?: string;
};

export type WireEmoji = { id: string | null; name: string; animated?: boolean };

export type WireReaction = {
  count: number;
  count_details: { burst: number; normal: number };
  me: boolean;
  me_burst: boolean;
  burst_colors: string[];
  emoji: WireEmoji;
};

export type WireMessageReference = {
  type?: number;
  message_id?: string;
  channel_id?: string;
  guild_id?: string;
  fail_if_not_exists?: boolean;
};

export type WireInteractionMetadata = {
  id: string;
  type: number;
  user: WireUser;
  authorizing_integration_owners: Record<string, string>;
  name?: string;
  command_type?: number;
  original_response_message_id?: string;
  interacted_message_id?: string;
  target_message_id?: string;
};

export type WireMessage = {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: WireUser;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  tts: boolean;
  mention_everyone: boolean;
  mentions: WireUser[];
  mention_roles: string[];
  attachments: WireAttachment[];
  embeds: unknown[];
  components: unknown[];
  reactions?: WireReaction[];
  pinned: boolean;
  flags: number;
  type: number;
  nonce?: string | number;
  message_reference?: WireMessageReference;
  referenced_message?: WireMessage | null;
  interaction_metadata?: WireInteractionMetadata;
  webhook_id?: string;
  application_id?: string;
};

/** Message flags the fake looks at. */
export const messageFlags = {
  suppressEmbeds: 1 << 2,
  ephemeral: 1 << 6,
  loading: 1 << 7,
  suppressNotifications: 1 << 12,
  isComponentsV2: 1 << 15,
} as const;

/** Message types the fake creates. */
export const messageTypes = { default: 0, reply: 19, chatInputCommand: 20 } as const;

/** Gateway intents the fake respects. */
export const intents = { guilds: 1 << 0, guildMessages: 1 << 9, guildMessageReactions: 1 << 10 } as const;
