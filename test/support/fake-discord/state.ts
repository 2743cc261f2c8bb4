import { EventEmitter } from 'node:events';
import type { Clock } from './clock.ts';
import type { WireAttachment, WireChannel, WireEmoji, WireMember, WireMessage, WireRole, WireUser } from './wire.ts';

/** The rules of the platform the fake enforces; each can be switched off per test (`fake.rules.x = false`). */
export type Rules = {
  /** Callbacks later than 3 s after the interaction get 404/10062. */
  interactionDeadline: boolean;
  /** A second callback gets 400/40060. */
  singleCallback: boolean;
  /** Webhook routes 15 min after the interaction get 401/50027. */
  tokenLifetime: boolean;
  /** Oversized attachments get 413/40005, more than 10 get 400/30015. */
  uploadLimits: boolean;
  /** Buckets of about 5 requests per 2 s per webhook token and per channel route. */
  rateLimits: boolean;
  /** Dispatches are filtered by the IDENTIFY intents (messages, reactions). */
  intents: boolean;
};

export type BucketLimit = { limit: number; windowMs: number };

export type FakeDiscordOptions = {
  /** The bot token discord.js logs in with. */
  token: string;
  guildName: string;
  channelName: string;
  botUsername: string;
  /** Permissions of @everyone (a decimal string, as Discord sends them). */
  everyonePermissions: string;
  /** `app_permissions` of interactions: what the bot may do in the channel. */
  appPermissions: string;
  heartbeatIntervalMs: number;
  /** Per-attachment limit of bot-token channel routes; default 10 MiB. */
  channelUploadLimit: number;
  /** `attachment_size_limit` of interactions unless the invocation says otherwise; default 10 MiB. */
  attachmentSizeLimit: number;
  interactionDeadlineMs: number;
  tokenLifetimeMs: number;
  /** How long signed CDN links stay valid (Discord: about 24 h). */
  cdnLinkLifetimeMs: number;
  rateLimits: { webhook: BucketLimit; channel: BucketLimit; other: BucketLimit };
  rules: Partial<Rules>;
};

export const defaultFakeDiscordOptions = {
  token: 'MTAxNzE4.fake-discord.bot-token',
  guildName: 'Oelala Test Guild',
  channelName: 'general',
  botUsername: 'oelala',
  // View Channel, Send Messages, Read History, Add Reactions, Attach Files, Use Application Commands, ...
  everyonePermissions: '2248473465835073',
  appPermissions: '2248473465835073',
  heartbeatIntervalMs: 41_250,
  channelUploadLimit: 10 * 1024 * 1024,
  attachmentSizeLimit: 10 * 1024 * 1024,
  interactionDeadlineMs: 3_000,
  tokenLifetimeMs: 15 * 60_000,
  cdnLinkLifetimeMs: 24 * 60 * 60_000,
  rateLimits: {
    webhook: { limit: 5, windowMs: 2_000 },
    channel: { limit: 5, windowMs: 2_000 },
    other: { limit: 50, windowMs: 1_000 },
  },
  rules: { interactionDeadline: true, singleCallback: true, tokenLifetime: true, uploadLimits: true, rateLimits: true, intents: true },
} as const satisfies FakeDiscordOptions & { rules: Rules };

export type MessageSource = 'callback' | 'webhook' | 'channel' | 'driver';

/** One version of a message, as the fake stored it after a create or an edit. */
export type MessageVersion = {
  atMs: number;
  via: MessageSource;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: WireAttachment[];
  flags: number;
};

export type StoredReaction = { emoji: WireEmoji; userIds: string[] };

export type StoredMessage = {
  /** The wire shape without `reactions` (computed per viewer). */
  message: WireMessage;
  deleted: boolean;
  ephemeral: boolean;
  versions: MessageVersion[];
  reactions: Map<string, StoredReaction>;
};

export type Ack = {
  /** The callback type: 4 reply, 5 deferred reply, 6 deferred update, 7 update, 8 autocomplete, 9 modal. */
  type: number;
  /** Fake-clock time of the callback. */
  atMs: number;
  /** Fake-clock milliseconds from the interaction to its callback. */
  afterMs: number;
};

export type InteractionRecord = {
  id: string;
  token: string;
  /** 2 command, 3 component, 4 autocomplete, 5 modal submit. */
  type: number;
  /** For type 2: 1 slash command, 3 message command (Apps → name). */
  commandType?: number;
  name: string;
  createdAt: number;
  channelId: string;
  guildId: string;
  user: WireUser;
  attachmentSizeLimit: number;
  /** The message a component sits on (type 3, and a modal submitted from it), or a message command's target. */
  targetMessageId?: string;
  ack?: Ack;
  originalMessageId?: string;
  followupIds: string[];
  choices?: unknown[];
  modal?: unknown;
  expired: boolean;
};

export type StoredBlob = { data: Buffer; contentType: string; filename: string };

export type RegisteredCommand = Record<string, unknown> & { id: string; name: string; type: number };

export type State = {
  options: FakeDiscordOptions;
  rules: Rules;
  clock: Clock;
  nextId: () => string;
  /** Signs CDN paths; random per server so links from another run do not resolve. */
  cdnSecret: string;
  applicationId: string;
  botUser: WireUser;
  /** The member who acts when a test does not say who. */
  defaultMemberId: string;
  defaultChannelId: string;
  guild: { id: string; name: string; ownerId: string; createdAt: number; roles: WireRole[] };
  channels: Map<string, WireChannel>;
  users: Map<string, WireUser>;
  memberRoles: Map<string, string[]>;
  messages: Map<string, StoredMessage>;
  messageOrder: Map<string, string[]>;
  /** CDN files by decoded path (`/attachments/c/a/name.mp4`). */
  blobs: Map<string, StoredBlob>;
  commands: { global: RegisteredCommand[]; guild: Map<string, RegisteredCommand[]> };
  interactions: Map<string, InteractionRecord>;
  /** Where the fake is reachable, for URLs it hands out (set once listening). */
  baseUrl: string;
  /** Fires 'change' after every mutation and logged request, so waiters can re-check. */
  events: EventEmitter;
  /** Sends a gateway dispatch to every identified session (set by the gateway). */
  dispatch: (event: string, data: unknown, intent?: number) => void;
};

export function changed(state: State): void {
  state.events.emit('change');
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** A user the fake knows, made on demand with a plain name. */
export function ensureUser(state: State, user: { id?: string | undefined; username?: string | undefined } = {}): WireUser {
  const byName = user.id === undefined && user.username !== undefined ? [...state.users.values()].find((known) => known.username === user.username) : undefined;
  if (byName) return byName;
  const id = user.id ?? state.nextId();
  const known = state.users.get(id);
  if (known) return known;
  const username = user.username ?? `member${state.users.size}`;
  const created: WireUser = { id, username, discriminator: '0', global_name: username, avatar: null, public_flags: 0 };
  state.users.set(id, created);
  return created;
}

export function memberOf(state: State, user: WireUser, extra: { roles?: string[]; permissions?: string } = {}): WireMember {
  const roles = extra.roles ?? state.memberRoles.get(user.id) ?? [];
  const member: WireMember = {
    user,
    roles,
    joined_at: isoTime(state.guild.createdAt),
    deaf: false,
    mute: false,
    flags: 0,
    nick: null,
    avatar: null,
    pending: false,
    premium_since: null,
    communication_disabled_until: null,
  };
  if (extra.permissions !== undefined) member.permissions = extra.permissions;
  return member;
}

/** @everyone's permissions ORed with those of the given roles; Administrator means all. */
export function permissionsOf(state: State, roleIds: string[]): string {
  let bits = 0n;
  for (const role of state.guild.roles) {
    if (role.id === state.guild.id || roleIds.includes(role.id)) bits |= BigInt(role.permissions);
  }
  return (bits & 8n ? (1n << 53n) - 1n : bits).toString();
}
