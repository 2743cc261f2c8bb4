import { apiErrors } from './api-error.ts';
import { normalize, registerCommands } from './commands.ts';
import { json, noContent, type Route, type RouteContext } from './router.ts';
import { memberOf, type RegisteredCommand, type State } from './state.ts';

/** Login, application commands, and the few guild/user reads a bot makes. */

function commandList(context: RouteContext): { list: RegisteredCommand[]; save: (next: RegisteredCommand[]) => void; guildId?: string } {
  const { state, params } = context;
  if (params['app'] !== state.applicationId) throw apiErrors.unauthorized();
  const guildId = params['guild'];
  if (guildId === undefined) return { list: state.commands.global, save: (next) => (state.commands.global = next) };
  if (guildId !== state.guild.id) throw apiErrors.unknownGuild();
  return { list: state.commands.guild.get(guildId) ?? [], save: (next) => state.commands.guild.set(guildId, next), guildId };
}

function commandRoutes(base: string): Route[] {
  const find = (context: RouteContext) => {
    const { list } = commandList(context);
    const command = list.find((candidate) => candidate.id === context.params['command']);
    if (!command) throw apiErrors.unknownCommand();
    return command;
  };
  return [
    { method: 'GET', path: base, auth: 'bot', handle: (context) => json(commandList(context).list) },
    {
      method: 'PUT',
      path: base,
      auth: 'bot',
      handle(context) {
        const { list, save, guildId } = commandList(context);
        const next = registerCommands(context.state, context.body.payload, list, guildId);
        save(next);
        return json(next);
      },
    },
    {
      method: 'POST',
      path: base,
      auth: 'bot',
      handle(context) {
        const { list, save, guildId } = commandList(context);
        const [created] = registerCommands(context.state, [context.body.payload], list, guildId);
        if (!created) throw apiErrors.invalidFormBody({ _root: 'Expected a command.' });
        save([...list.filter((command) => command.id !== created.id), created]);
        return { status: 201, json: created };
      },
    },
    { method: 'GET', path: `${base}/:command`, auth: 'bot', handle: (context) => json(find(context)) },
    {
      method: 'PATCH',
      path: `${base}/:command`,
      auth: 'bot',
      handle(context) {
        const { list, save, guildId } = commandList(context);
        const current = find(context);
        const patched = normalize(context.state, { ...current, ...(context.body.payload as Record<string, unknown>), name: current.name, type: current.type }, list, guildId);
        save(list.map((command) => (command.id === patched.id ? patched : command)));
        return json(patched);
      },
    },
    {
      method: 'DELETE',
      path: `${base}/:command`,
      auth: 'bot',
      handle(context) {
        const { list, save } = commandList(context);
        const current = find(context);
        save(list.filter((command) => command.id !== current.id));
        return noContent;
      },
    },
  ];
}

function guildOf(state: State, guildId: string | undefined) {
  if (guildId !== state.guild.id) throw apiErrors.unknownGuild();
  return state.guild;
}

export const applicationRoutes: Route[] = [
  {
    method: 'GET',
    path: '/gateway/bot',
    auth: 'bot',
    handle: ({ state }) =>
      json({
        url: `${state.baseUrl.replace(/^http/, 'ws')}/gateway`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      }),
  },
  { method: 'GET', path: '/gateway', auth: 'none', handle: ({ state }) => json({ url: `${state.baseUrl.replace(/^http/, 'ws')}/gateway` }) },
  { method: 'GET', path: '/users/@me', auth: 'bot', handle: ({ state }) => json({ ...state.botUser, bot: true }) },
  {
    method: 'GET',
    path: '/users/:user',
    auth: 'bot',
    handle({ state, params }) {
      const user = state.users.get(params['user'] ?? '');
      if (!user) throw apiErrors.unknownUser();
      return json(user);
    },
  },
  {
    method: 'GET',
    path: '/applications/@me',
    auth: 'bot',
    handle: ({ state }) =>
      json({ id: state.applicationId, name: state.botUser.username, description: '', icon: null, bot_public: true, bot_require_code_grant: false, flags: 0, bot: { ...state.botUser, bot: true }, owner: null, team: null }),
  },
  ...commandRoutes('/applications/:app/guilds/:guild/commands'),
  ...commandRoutes('/applications/:app/commands'),
  {
    method: 'GET',
    path: '/guilds/:guild',
    auth: 'bot',
    handle({ state, params }) {
      const guild = guildOf(state, params['guild']);
      return json({ id: guild.id, name: guild.name, icon: null, owner_id: guild.ownerId, roles: guild.roles, emojis: [], stickers: [], features: [], premium_tier: 0, preferred_locale: 'en-US' });
    },
  },
  { method: 'GET', path: '/guilds/:guild/roles', auth: 'bot', handle: ({ state, params }) => json(guildOf(state, params['guild']).roles) },
  { method: 'GET', path: '/guilds/:guild/channels', auth: 'bot', handle: ({ state, params }) => (guildOf(state, params['guild']), json([...state.channels.values()])) },
  {
    method: 'GET',
    path: '/guilds/:guild/members/:user',
    auth: 'bot',
    handle({ state, params }) {
      guildOf(state, params['guild']);
      const user = state.users.get(params['user'] ?? '');
      if (!user || !state.memberRoles.has(user.id)) throw apiErrors.unknownMember();
      return json(memberOf(state, user));
    },
  },
];
