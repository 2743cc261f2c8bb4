import { cdnBytes } from './cdn.ts';
import { asFakeMessage, interactionHandle, type FakeMessage, type InteractionHandle } from './handle.ts';
import { storeAttachment, type CdnFile } from './cdn.ts';
import { modalSubmission, type ModalValues } from './components.ts';
import {
  autocompleteInteraction,
  buttonInteraction,
  commandInteraction,
  messageCommandInteraction,
  modalSubmitInteraction,
  type ClickButton,
  type InvokeAs,
  type InvokeAutocomplete,
  type InvokeCommand,
  type InvokeMessageCommand,
} from './invoke.ts';
import { createMessage, viewMessage } from './messages.ts';
import type { ForcedRoute } from './rate-limits.ts';
import { addReaction, parseEmoji, removeReaction } from './reactions.ts';
import type { LoggedRequest } from './rest.ts';
import { createFakeServer, type StartOptions } from './server.ts';
import { changed, ensureUser, type MessageVersion, type RegisteredCommand, type Rules } from './state.ts';
import { waitFor, type WaitOptions } from './wait.ts';
import type { GatewayEvent } from './gateway.ts';
import type { WireAttachment } from './wire.ts';

export type { FakeMessage, InteractionHandle } from './handle.ts';
export type { InvokeAttachment, InvokeCommand, InvokeAutocomplete, InvokeFile, ClickButton, InvokeMessageCommand } from './invoke.ts';
export type { ModalValues } from './components.ts';
export type { LoggedRequest } from './rest.ts';
export type { Ack, MessageVersion, RegisteredCommand, Rules, FakeDiscordOptions } from './state.ts';
export type { GatewayEvent } from './gateway.ts';
export type { WaitOptions } from './wait.ts';
export type { StartOptions as FakeDiscordStartOptions } from './server.ts';
export { defaultFakeDiscordOptions } from './state.ts';
export type * from './wire.ts';

export type ReactAs = { userId?: string; roles?: string[] };

/** A member's own message in a channel: text, files (stored on the CDN) and embeds (e.g. an unfurled image link). */
export type MemberMessage = { content?: string; attachments?: CdnFile[]; embeds?: unknown[]; userId?: string; channelId?: string };

/** The test driver: a Discord for one guild, one text channel and one bot, on 127.0.0.1. */
export type FakeDiscord = {
  /** What a discord.js Client takes as `rest: { api }` ('http://127.0.0.1:PORT/api'). */
  apiBase: string;
  /** Where attachments live (same server): `${cdnBase}/attachments/...`. */
  cdnBase: string;
  gatewayUrl: string;
  token: string;
  applicationId: string;
  guildId: string;
  channelId: string;
  botUserId: string;
  /** The member who acts when a test does not say who ('alice'). */
  memberUserId: string;
  /** The platform rules in force; flip one off for a test (`fake.rules.rateLimits = false`). */
  rules: Rules;
  /** Every request, API and CDN, in arrival order. */
  requests: readonly LoggedRequest[];
  /** Every 429 served, natural or forced. */
  readonly rateLimitedCount: number;
  gatewayEvents: readonly GatewayEvent[];
  close(): Promise<void>;

  invokeCommand(command: InvokeCommand): InteractionHandle;
  /** Sends an autocomplete interaction and resolves with the choices the bot answered. */
  autocomplete(request: InvokeAutocomplete, options?: WaitOptions): Promise<unknown[]>;
  clickButton(click: ClickButton): InteractionHandle;
  /** Apps → `name` on a message (a message command); the message arrives resolved, as Discord sends it. */
  invokeMessageCommand(command: InvokeMessageCommand): InteractionHandle;
  /**
   * The member presses Submit on the modal the bot opened in answer to `from`: fields not in
   * `values` keep what the bot prefilled. Throws, like the client would refuse, when no modal
   * was opened, a field is unknown, a required one is empty or a choice is not offered.
   */
  submitModal(from: InteractionHandle, values?: ModalValues, as?: InvokeAs): InteractionHandle;
  /** A member posts a message (MESSAGE_CREATE for bots with the GuildMessages intent). */
  postMessage(message: MemberMessage): FakeMessage;
  react(messageId: string, emoji: string, as?: ReactAs): void;
  unreact(messageId: string, emoji: string, as?: ReactAs): void;
  /** Adds a role to the guild (dispatching GUILD_ROLE_CREATE); returns its id. */
  createRole(role: { name: string; permissions: bigint | string }): string;

  /** Messages of a channel (default: the text channel) in creation order, deleted and ephemeral ones included. */
  messages(channelId?: string): FakeMessage[];
  message(id: string): FakeMessage | undefined;
  /** Every version of a message (content, embeds, attachments) with its fake-clock time. */
  messageHistory(messageId: string): MessageVersion[];
  /** The bytes behind an attachment (object or URL) the fake stored. */
  attachmentBytes(attachment: Pick<WireAttachment, 'url'> | string): Buffer;
  /** Registered commands: the guild's by default, or 'global'. */
  commands(scope?: 'guild' | 'global'): RegisteredCommand[];

  /** Fake-clock now (ms); `advanceClock` moves it, ageing tokens and CDN links. */
  now(): number;
  advanceClock(ms: number): void;
  forceRateLimit(storm: { route?: ForcedRoute; count: number; retryAfterMs: number; global?: boolean }): void;
  force5xx(fault: { count: number; route?: ForcedRoute; status?: number }): void;
  /**
   * The next `count` API requests matching `match` are applied as usual, but their answers wait
   * until `release()`: Discord has accepted them and the client has not heard yet (kill it then).
   */
  holdResponses(match: (request: LoggedRequest) => boolean, count?: number): { reached: Promise<LoggedRequest>; release(): void };
  /** Cuts the gateway sockets (no close frame); resolves when the fake has seen them close. */
  dropGateway(): Promise<number>;
  /** Every interaction token so far becomes invalid (10062 on callbacks, 50027 on webhooks). */
  expireTokens(): void;

  waitFor<T>(check: () => T | undefined | null | false, options?: WaitOptions): Promise<T>;
  waitForMessage(predicate: (message: FakeMessage) => boolean, options?: WaitOptions & { channelId?: string }): Promise<FakeMessage>;
  waitForRequest(predicate: (request: LoggedRequest) => boolean, options?: WaitOptions): Promise<LoggedRequest>;
  /** Resolves once a gateway session has identified (the bot is connected). */
  waitForSession(options?: WaitOptions): Promise<void>;
};

export async function startFakeDiscord(options: StartOptions = {}): Promise<FakeDiscord> {
  const fake = await createFakeServer(options);
  const { state, gateway, limiter } = fake;
  const messageOrFail = (id: string) => {
    const stored = state.messages.get(id);
    if (!stored) throw new Error(`fake-discord: no message ${id}`);
    return stored;
  };
  const messages = (channelId = state.defaultChannelId) =>
    (state.messageOrder.get(channelId) ?? []).map((id) => asFakeMessage(state, id)).filter((message) => message !== undefined);
  const userFor = (as: ReactAs = {}) => {
    const user = ensureUser(state, { id: as.userId ?? state.defaultMemberId });
    if (as.roles) state.memberRoles.set(user.id, as.roles);
    else if (!state.memberRoles.has(user.id)) state.memberRoles.set(user.id, []);
    return user;
  };

  return {
    apiBase: `${state.baseUrl}/api`,
    cdnBase: state.baseUrl,
    gatewayUrl: `${state.baseUrl.replace(/^http/, 'ws')}/gateway`,
    token: state.options.token,
    applicationId: state.applicationId,
    guildId: state.guild.id,
    channelId: state.defaultChannelId,
    botUserId: state.botUser.id,
    memberUserId: state.defaultMemberId,
    rules: state.rules,
    requests: fake.requests,
    get rateLimitedCount() {
      return limiter.served429;
    },
    gatewayEvents: gateway.events,
    close: () => fake.close(),

    invokeCommand(command) {
      const delivered = gateway.sessionCount() > 0;
      return interactionHandle(state, commandInteraction(state, command), delivered);
    },
    async autocomplete(request, waitOptions) {
      const record = autocompleteInteraction(state, request);
      return waitFor(state, () => record.choices, { description: `autocomplete choices for /${request.name}`, ...waitOptions });
    },
    clickButton(click) {
      const stored = messageOrFail(click.messageId);
      const delivered = gateway.sessionCount() > 0;
      return interactionHandle(state, buttonInteraction(state, click, viewMessage(state, stored)), delivered);
    },
    invokeMessageCommand(command) {
      const target = messageOrFail(command.messageId);
      const delivered = gateway.sessionCount() > 0;
      return interactionHandle(state, messageCommandInteraction(state, command, viewMessage(state, target)), delivered);
    },
    submitModal(from, values = {}, as = {}) {
      const origin = state.interactions.get(from.token);
      if (!origin?.modal) throw new Error(`fake-discord: interaction ${from.id} opened no modal (its callback was ${origin?.ack?.type ?? 'not sent yet'})`);
      const data = modalSubmission(origin.modal, values);
      const onMessage = origin.targetMessageId ? state.messages.get(origin.targetMessageId) : undefined;
      const user = as.user ?? { id: origin.user.id };
      const delivered = gateway.sessionCount() > 0;
      return interactionHandle(state, modalSubmitInteraction(state, origin, data, { ...as, user }, onMessage ? viewMessage(state, onMessage) : undefined), delivered);
    },
    postMessage({ content = '', attachments = [], embeds, userId, channelId = state.defaultChannelId }) {
      const author = userFor({ ...(userId ? { userId } : {}) });
      const files = attachments.map((file) => storeAttachment(state, 'attachments', channelId, file));
      const stored = createMessage(state, {
        channelId,
        author,
        payload: { content, ...(embeds ? { embeds } : {}) },
        uploads: [],
        uploadLimit: Number.MAX_SAFE_INTEGER,
        via: 'driver',
        attachments: files,
        allowEmpty: files.length > 0,
      });
      return asFakeMessage(state, stored.message.id)!;
    },
    react(messageId, emoji, as) {
      const user = userFor(as);
      addReaction(state, messageOrFail(messageId), user.id, parseEmoji(emoji), state.memberRoles.get(user.id));
    },
    unreact(messageId, emoji, as) {
      removeReaction(state, messageOrFail(messageId), userFor(as).id, parseEmoji(emoji));
    },
    createRole({ name, permissions }) {
      const role = { id: state.nextId(), name, permissions: String(permissions), position: state.guild.roles.length, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 };
      state.guild.roles.push(role);
      state.dispatch('GUILD_ROLE_CREATE', { guild_id: state.guild.id, role });
      changed(state);
      return role.id;
    },

    messages,
    message: (id) => asFakeMessage(state, id),
    messageHistory: (messageId) => messageOrFail(messageId).versions,
    attachmentBytes(attachment) {
      const bytes = cdnBytes(state, attachment);
      if (!bytes) throw new Error(`fake-discord: no stored file at ${typeof attachment === 'string' ? attachment : attachment.url}`);
      return bytes;
    },
    commands: (scope = 'guild') => (scope === 'global' ? state.commands.global : (state.commands.guild.get(state.guild.id) ?? [])),

    now: () => state.clock.now(),
    advanceClock(ms) {
      state.clock.advance(ms);
      changed(state);
    },
    forceRateLimit: (storm) => limiter.forceStorm(storm),
    force5xx({ count, route = 'all', status = 500 }) {
      fake.faults.push({ route, remaining: count, status });
    },
    holdResponses(match, count = 1) {
      let reached!: (request: LoggedRequest) => void;
      let release!: () => void;
      const reachedPromise = new Promise<LoggedRequest>((resolve) => (reached = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      fake.holds.push({ match, remaining: count, reached, released });
      return { reached: reachedPromise, release };
    },
    async dropGateway() {
      const closes = gateway.events.filter((event) => event.kind === 'close').length;
      const dropped = gateway.drop();
      await waitFor(state, () => gateway.events.filter((event) => event.kind === 'close').length >= closes + dropped, { description: 'the dropped gateway sockets to close' });
      return dropped;
    },
    expireTokens() {
      for (const record of state.interactions.values()) record.expired = true;
      changed(state);
    },

    waitFor: (check, waitOptions) => waitFor(state, check, waitOptions),
    waitForMessage: (predicate, waitOptions) =>
      waitFor(state, () => messages(waitOptions?.channelId).find(predicate), { description: 'a message to match', ...waitOptions }),
    waitForRequest: (predicate, waitOptions) => waitFor(state, () => fake.requests.find(predicate), { description: 'a request to match', ...waitOptions }),
    waitForSession: (waitOptions) => waitFor(state, () => gateway.sessionCount() > 0 || undefined, { description: 'a gateway session to identify', ...waitOptions }).then(() => {}),
  };
}

export type { InvokeAs };
