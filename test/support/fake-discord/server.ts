import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isCdnPath, serveCdn } from './cdn.ts';
import { createClock, createSnowflakes } from './clock.ts';
import { createGateway, type Gateway } from './gateway.ts';
import { createRateLimiter, type RateLimiter } from './rate-limits.ts';
import { createRest, type Fault, type Hold, type LoggedRequest } from './rest.ts';
import { applicationRoutes } from './routes-applications.ts';
import { channelRoutes } from './routes-channels.ts';
import { interactionRoutes } from './routes-interactions.ts';
import { webhookRoutes } from './routes-webhooks.ts';
import { changed, defaultFakeDiscordOptions, ensureUser, type FakeDiscordOptions, type State } from './state.ts';

/** The fake's pieces wired on one node:http server: REST under /api/v10, the gateway, the CDN. */

export type FakeServer = {
  state: State;
  gateway: Gateway;
  limiter: RateLimiter;
  faults: Fault[];
  holds: Hold[];
  requests: LoggedRequest[];
  close(): Promise<void>;
};

const routes = [...interactionRoutes, ...webhookRoutes, ...channelRoutes, ...applicationRoutes];

export type StartOptions = Partial<Omit<FakeDiscordOptions, 'rateLimits' | 'rules'>> & {
  rateLimits?: Partial<FakeDiscordOptions['rateLimits']>;
  rules?: FakeDiscordOptions['rules'];
};

function createState(options: FakeDiscordOptions): State {
  const clock = createClock();
  const nextId = createSnowflakes(clock);
  const applicationId = nextId();
  const guildId = nextId();
  const channelId = nextId();
  const createdAt = clock.now();
  const botUser = { id: applicationId, username: options.botUsername, discriminator: '0' as const, global_name: null, avatar: null, bot: true, public_flags: 0 };
  const state: State = {
    options,
    rules: { ...defaultFakeDiscordOptions.rules, ...options.rules },
    clock,
    nextId,
    cdnSecret: randomBytes(32).toString('hex'),
    applicationId,
    botUser,
    defaultMemberId: '',
    defaultChannelId: channelId,
    guild: {
      id: guildId,
      name: options.guildName,
      ownerId: '',
      createdAt,
      roles: [{ id: guildId, name: '@everyone', permissions: options.everyonePermissions, position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
    },
    channels: new Map([
      [channelId, { id: channelId, type: 0, name: options.channelName, guild_id: guildId, position: 0, permission_overwrites: [], parent_id: null, nsfw: false, topic: null, last_message_id: null, rate_limit_per_user: 0 }],
    ]),
    users: new Map([[botUser.id, botUser]]),
    memberRoles: new Map([[botUser.id, []]]),
    messages: new Map(),
    messageOrder: new Map(),
    blobs: new Map(),
    commands: { global: [], guild: new Map() },
    interactions: new Map(),
    baseUrl: '',
    events: new EventEmitter().setMaxListeners(0),
    dispatch: () => {},
  };
  // The owner is a plain member, so the bot is never the owner (owners bypass permission checks).
  const owner = ensureUser(state, { username: 'owner' });
  const member = ensureUser(state, { username: 'alice' });
  state.guild.ownerId = owner.id;
  state.defaultMemberId = member.id;
  state.memberRoles.set(owner.id, []);
  state.memberRoles.set(member.id, []);
  return state;
}

export async function createFakeServer(startOptions: StartOptions = {}): Promise<FakeServer> {
  const options: FakeDiscordOptions = {
    ...defaultFakeDiscordOptions,
    ...startOptions,
    rateLimits: { ...defaultFakeDiscordOptions.rateLimits, ...startOptions.rateLimits },
    rules: { ...defaultFakeDiscordOptions.rules, ...startOptions.rules },
  };
  const state = createState(options);
  const limiter = createRateLimiter(options.rateLimits);
  const faults: Fault[] = [];
  const requests: LoggedRequest[] = [];
  const holds: Hold[] = [];
  const rest = createRest(state, routes, limiter, faults, requests, holds);
  const gateway = createGateway(state);

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', state.baseUrl);
    if (url.pathname.startsWith('/api/')) {
      void rest.handle(request, response, url);
      return;
    }
    const method = request.method ?? 'GET';
    let status = 404;
    if (isCdnPath(url.pathname) && (method === 'GET' || method === 'HEAD')) status = serveCdn(state, url, method, response);
    else response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    const path = decodeURIComponent(url.pathname);
    requests.push({ method, path, rawPath: url.pathname, query: url.search, route: 'cdn', major: 'cdn', status, atMs: state.clock.now(), multipart: false, auth: 'none', kind: 'cdn' });
    changed(state);
  });
  server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://x').pathname === '/gateway') gateway.handleUpgrade(request, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    state,
    gateway,
    limiter,
    faults,
    holds,
    requests,
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
