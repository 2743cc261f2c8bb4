import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { changed, isoTime, memberOf, type State } from './state.ts';

/**
 * The gateway, JSON text frames only (discord.js 14 without zlib-sync): HELLO,
 * heartbeat ACKs, IDENTIFY → READY → GUILD_CREATE, RESUME answered with an invalid
 * session so the client identifies again, and dispatches filtered by intents.
 */

type Session = { socket: WebSocket; seq: number; identified: boolean; intents: number; sessionId: string };

export type GatewayEvent = { atMs: number; kind: 'connect' | 'identify' | 'resume' | 'close'; sessionId?: string; code?: number };

export type Gateway = {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Identified sessions right now. */
  sessionCount(): number;
  /** What happened on the gateway, in order (connects, identifies, resumes, closes). */
  events: GatewayEvent[];
  /** Cuts every socket without a close frame, like a network drop. */
  drop(): number;
  close(): Promise<void>;
};

const op = { dispatch: 0, heartbeat: 1, identify: 2, resume: 6, invalidSession: 9, hello: 10, heartbeatAck: 11 } as const;

export function createGateway(state: State): Gateway {
  const server = new WebSocketServer({ noServer: true });
  const sessions = new Set<Session>();
  const events: GatewayEvent[] = [];
  const note = (event: Omit<GatewayEvent, 'atMs'>) => {
    events.push({ atMs: state.clock.now(), ...event });
    changed(state);
  };

  const send = (session: Session, payload: Record<string, unknown>) => {
    if (session.socket.readyState === session.socket.OPEN) session.socket.send(JSON.stringify(payload));
  };
  const dispatchTo = (session: Session, event: string, data: unknown) => {
    session.seq += 1;
    send(session, { op: op.dispatch, t: event, s: session.seq, d: data });
  };

  state.dispatch = (event, data, intent) => {
    for (const session of sessions) {
      if (!session.identified) continue;
      if (intent !== undefined && state.rules.intents && (session.intents & intent) === 0) continue;
      dispatchTo(session, event, data);
    }
  };

  const identify = (session: Session, data: Record<string, unknown>) => {
    if (data['token'] !== state.options.token) {
      session.socket.close(4004, 'Authentication failed.');
      return;
    }
    session.identified = true;
    session.intents = typeof data['intents'] === 'number' ? data['intents'] : 0;
    note({ kind: 'identify', sessionId: session.sessionId });
    dispatchTo(session, 'READY', {
      v: 10,
      user: { ...state.botUser, bot: true, verified: true, mfa_enabled: false, flags: 0 },
      guilds: [{ id: state.guild.id, unavailable: true }],
      session_id: session.sessionId,
      resume_gateway_url: `${state.baseUrl.replace(/^http/, 'ws')}/gateway`,
      application: { id: state.applicationId, flags: 0 },
      shard: [0, 1],
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      _trace: ['fake-discord'],
    });
    dispatchTo(session, 'GUILD_CREATE', guildCreate(state));
  };

  server.on('connection', (socket) => {
    const session: Session = { socket, seq: 0, identified: false, intents: 0, sessionId: randomBytes(16).toString('hex') };
    sessions.add(session);
    note({ kind: 'connect', sessionId: session.sessionId });
    send(session, { op: op.hello, d: { heartbeat_interval: state.options.heartbeatIntervalMs, _trace: ['fake-discord'] } });
    socket.on('message', (raw, isBinary) => {
      if (isBinary) return;
      let payload: { op?: unknown; d?: unknown };
      try {
        payload = JSON.parse(raw.toString()) as { op?: unknown; d?: unknown };
      } catch {
        socket.close(4002, 'Error while decoding payload.');
        return;
      }
      if (payload.op === op.heartbeat) send(session, { op: op.heartbeatAck });
      else if (payload.op === op.identify) identify(session, (payload.d ?? {}) as Record<string, unknown>);
      else if (payload.op === op.resume) {
        // Sessions are not kept across sockets: the client must identify afresh.
        note({ kind: 'resume', sessionId: session.sessionId });
        send(session, { op: op.invalidSession, d: false });
      }
    });
    socket.on('close', (code) => {
      sessions.delete(session);
      note({ kind: 'close', sessionId: session.sessionId, code });
    });
    socket.on('error', () => {});
  });

  return {
    events,
    handleUpgrade(request, socket, head) {
      server.handleUpgrade(request, socket, head, (ws) => server.emit('connection', ws, request));
    },
    sessionCount: () => [...sessions].filter((session) => session.identified).length,
    drop() {
      const count = sessions.size;
      for (const session of sessions) session.socket.terminate();
      return count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.socket.terminate();
        server.close(() => resolve());
      }),
  };
}

function guildCreate(state: State): Record<string, unknown> {
  const { guild } = state;
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    unavailable: false,
    owner_id: guild.ownerId,
    joined_at: isoTime(guild.createdAt),
    member_count: state.memberRoles.size,
    large: false,
    features: [],
    premium_tier: 0,
    preferred_locale: 'en-US',
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    system_channel_flags: 0,
    roles: guild.roles,
    channels: [...state.channels.values()],
    members: [memberOf(state, state.botUser)],
    emojis: [],
    stickers: [],
    threads: [],
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
