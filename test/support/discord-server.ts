/**
 * A local server speaking Discord's gateway and the REST routes BitBrat uses, for the real discord.js
 * client (REST base `http://127.0.0.1:PORT/api`, gateway url from GET /gateway/bot). Built from Discord's
 * documentation (https://discord.com/developers/docs/events/gateway , /topics/rate-limits ,
 * /resources/message#create-message):
 *
 * - Gateway, JSON text frames: Hello (op 10, heartbeat_interval) → Identify (op 2: the token, else close
 *   4004; a privileged intent the application was not granted, else close 4014) → READY (op 0, s=1, with
 *   session_id and resume_gateway_url) + GUILD_CREATE; Heartbeat (op 1) → Heartbeat ACK (op 11); Resume
 *   (op 6) replays what the session missed and sends RESUMED, or Invalid Session (op 9, false) for an
 *   unknown session; MESSAGE_CREATE dispatches; Reconnect (op 7) and Invalid Session on demand.
 * - REST: GET /api/v10/gateway/bot; POST /api/v10/channels/{id}/messages (Bot token, 2,000 characters,
 *   `message_reference`); 429 with `retry_after` and the X-RateLimit-* headers on demand.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

/** Privileged intents (https://discord.com/developers/docs/events/gateway#privileged-intents). */
export const PRIVILEGED_INTENTS = { GuildMembers: 1 << 1, GuildPresences: 1 << 8, MessageContent: 1 << 15 };

export interface DiscordGuildSpec {
  id: string;
  name: string;
  roles: Array<{ id: string; name: string }>;
  channels: Array<{ id: string; name: string }>;
}

export interface DiscordServerOptions {
  token: string;
  guild: DiscordGuildSpec;
  bot?: { id: string; username: string };
  /** Privileged intents the application may use; Identify asking for another closes with 4014. */
  allowedPrivilegedIntents?: number;
  heartbeatIntervalMs?: number;
}

export interface PostedMessage {
  id: string;
  channelId: string;
  content: string;
  replyTo: string | null;
}

interface Session {
  id: string;
  socket: WebSocket | null;
  sequence: number;
  /** Every dispatch sent on this session, for Resume. */
  sent: Array<{ s: number; frame: string }>;
}

export interface DiscordServer {
  readonly port: number;
  readonly apiUrl: string;
  readonly posted: PostedMessage[];
  readonly identifies: Array<{ intents: number; token: string }>;
  readonly resumes: number;
  readonly heartbeatAcks: number;
  /** Requests answered 429, and REST calls seen in all. */
  readonly calls: { rateLimited: number; rest: number };
  /** The next `count` message POSTs answer 429 with this retry_after (seconds). */
  rateLimitNext(count: number, retryAfterSeconds: number): void;
  /** Resolves once a session is READY (returns its id). */
  nextReady(): Promise<string>;
  nextResumed(): Promise<void>;
  /** Sends a MESSAGE_CREATE on the open session; returns its sequence number. */
  messageCreate(d: Record<string, unknown>): number;
  /** Remembers a MESSAGE_CREATE for the session without sending it (sent on Resume, as if the socket had dropped it). */
  queueWhileDisconnected(d: Record<string, unknown>): void;
  /** Op 7 Reconnect: the client should close and Resume. */
  reconnect(): void;
  /** Op 9 Invalid Session (resumable or not). */
  invalidSession(resumable: boolean): void;
  /** Drops the socket without a close frame (a network cut); the client resumes. */
  drop(): void;
  waitForPosts(count: number): Promise<PostedMessage[]>;
  close(): Promise<void>;
}

export async function startDiscordServer(options: DiscordServerOptions): Promise<DiscordServer> {
  const bot = options.bot ?? { id: '1100000000000000001', username: 'BitBrat' };
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
  const allowed = options.allowedPrivilegedIntents ?? PRIVILEGED_INTENTS.MessageContent;
  const emitter = new EventEmitter();
  const posted: PostedMessage[] = [];
  const identifies: DiscordServer['identifies'] = [];
  const sessions = new Map<string, Session>();
  const calls = { rateLimited: 0, rest: 0 };
  const counters = { resumes: 0, acks: 0 };
  const limit = { count: 0, retryAfter: 0 };
  let current: Session | null = null;
  let port = 0;

  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => handleRest(request, response, raw));
  });

  const json = (response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

  function handleRest(request: http.IncomingMessage, response: http.ServerResponse, raw: string) {
    calls.rest += 1;
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.headers['authorization'] !== `Bot ${options.token}`) {
      return json(response, 401, { message: '401: Unauthorized', code: 0 });
    }
    if (url.pathname === '/api/v10/gateway/bot' && request.method === 'GET') {
      return json(response, 200, {
        url: `ws://127.0.0.1:${port}`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
      });
    }
    const post = /^\/api\/v10\/channels\/(\d+)\/messages$/.exec(url.pathname);
    if (post && request.method === 'POST') {
      const channelId = post[1]!;
      const bucket = {
        'x-ratelimit-limit': '5',
        'x-ratelimit-bucket': `messages-${channelId}`,
        'x-ratelimit-reset-after': '0.001',
        'x-ratelimit-reset': String(Date.now() / 1000),
      };
      if (limit.count > 0) {
        limit.count -= 1;
        calls.rateLimited += 1;
        return json(
          response,
          429,
          { message: 'You are being rate limited.', retry_after: limit.retryAfter, global: false },
          {
            ...bucket,
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset-after': String(limit.retryAfter),
            'retry-after': String(Math.ceil(limit.retryAfter)),
            'x-ratelimit-scope': 'user',
          },
        );
      }
      if (!options.guild.channels.some((channel) => channel.id === channelId)) {
        return json(response, 404, { message: 'Unknown Channel', code: 10003 });
      }
      let body: { content?: unknown; message_reference?: { message_id?: unknown } };
      try {
        body = JSON.parse(raw) as typeof body;
      } catch {
        return json(response, 400, { message: '400: Bad Request', code: 50109 });
      }
      if (typeof body.content !== 'string' || body.content.length === 0) {
        return json(response, 400, { message: 'Cannot send an empty message', code: 50006 });
      }
      if ([...body.content].length > 2000) {
        return json(response, 400, {
          message: 'Invalid Form Body',
          code: 50035,
          errors: {
            content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] },
          },
        });
      }
      const message: PostedMessage = {
        id: String(BigInt(Date.now()) * 4_194_304n + BigInt(posted.length)),
        channelId,
        content: body.content,
        replyTo: typeof body.message_reference?.message_id === 'string' ? body.message_reference.message_id : null,
      };
      posted.push(message);
      emitter.emit('posted');
      return json(
        response,
        200,
        {
          id: message.id,
          channel_id: channelId,
          content: message.content,
          author: { id: bot.id, username: bot.username, bot: true },
          timestamp: new Date().toISOString(),
          attachments: [],
          embeds: [],
          type: message.replyTo ? 19 : 0,
        },
        { ...bucket, 'x-ratelimit-remaining': '4' },
      );
    }
    return json(response, 404, { message: '404: Not Found', code: 0 });
  }

  const wss = new WebSocketServer({ server });
  const dispatch = (session: Session, t: string, d: unknown): number => {
    session.sequence += 1;
    const frame = JSON.stringify({ op: 0, t, s: session.sequence, d });
    session.sent.push({ s: session.sequence, frame });
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(frame);
    return session.sequence;
  };
  const guildCreate = () => ({
    id: options.guild.id,
    name: options.guild.name,
    owner_id: '1',
    unavailable: false,
    member_count: 1,
    roles: [
      {
        id: options.guild.id,
        name: '@everyone',
        permissions: '0',
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
      ...options.guild.roles.map((role, index) => ({
        ...role,
        permissions: '0',
        position: index + 1,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      })),
    ],
    channels: options.guild.channels.map((channel, index) => ({
      ...channel,
      type: 0,
      guild_id: options.guild.id,
      position: index,
      permission_overwrites: [],
    })),
    members: [],
    emojis: [],
    stickers: [],
    threads: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    features: [],
    joined_at: '2024-01-01T00:00:00.000000+00:00',
    large: false,
    premium_tier: 0,
    system_channel_flags: 0,
    verification_level: 0,
    explicit_content_filter: 0,
    default_message_notifications: 0,
    mfa_level: 0,
    nsfw_level: 0,
    preferred_locale: 'en-US',
  });

  wss.on('connection', (socket) => {
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: heartbeatIntervalMs } }));
    let session: Session | null = null;
    socket.on('message', (data) => {
      let payload: { op?: number; d?: Record<string, unknown> };
      try {
        payload = JSON.parse(String(data)) as typeof payload;
      } catch {
        socket.close(4002, 'Decode error');
        return;
      }
      switch (payload.op) {
        case 1:
          counters.acks += 1;
          socket.send(JSON.stringify({ op: 11 }));
          return;
        case 2: {
          const token = String(payload.d?.['token'] ?? '');
          const intents = Number(payload.d?.['intents'] ?? 0);
          identifies.push({ intents, token });
          if (token !== options.token && token !== `Bot ${options.token}`) {
            socket.close(4004, 'Authentication failed.');
            return;
          }
          const privileged = Object.values(PRIVILEGED_INTENTS).reduce((all, bit) => all | bit, 0);
          if ((intents & privileged & ~allowed) !== 0) {
            socket.close(4014, 'Disallowed intent(s).');
            return;
          }
          session = { id: randomUUID().replace(/-/g, ''), socket, sequence: 0, sent: [] };
          sessions.set(session.id, session);
          current = session;
          dispatch(session, 'READY', {
            v: 10,
            user: {
              id: bot.id,
              username: bot.username,
              discriminator: '0',
              bot: true,
              avatar: null,
              global_name: null,
            },
            guilds: [{ id: options.guild.id, unavailable: true }],
            session_id: session.id,
            resume_gateway_url: `ws://127.0.0.1:${port}`,
            application: { id: bot.id, flags: 0 },
          });
          dispatch(session, 'GUILD_CREATE', guildCreate());
          emitter.emit('ready', session.id);
          return;
        }
        case 6: {
          const known = sessions.get(String(payload.d?.['session_id'] ?? ''));
          if (!known || payload.d?.['token'] !== options.token) {
            socket.send(JSON.stringify({ op: 9, d: false }));
            return;
          }
          counters.resumes += 1;
          known.socket = socket;
          session = known;
          current = known;
          const after = Number(payload.d?.['seq'] ?? 0);
          for (const entry of known.sent) if (entry.s > after) socket.send(entry.frame);
          dispatch(known, 'RESUMED', {});
          emitter.emit('resumed');
          return;
        }
        default:
          return;
      }
    });
    socket.on('close', () => {
      if (session && session.socket === socket) session.socket = null;
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  const open = (): Session => {
    if (!current?.socket || current.socket.readyState !== WebSocket.OPEN) throw new Error('no open gateway session');
    return current;
  };

  return {
    port,
    apiUrl: `http://127.0.0.1:${port}/api`,
    posted,
    identifies,
    get resumes() {
      return counters.resumes;
    },
    get heartbeatAcks() {
      return counters.acks;
    },
    calls,
    rateLimitNext(count, retryAfterSeconds) {
      limit.count = count;
      limit.retryAfter = retryAfterSeconds;
    },
    async nextReady() {
      const [id] = (await once(emitter, 'ready')) as [string];
      return id;
    },
    async nextResumed() {
      await once(emitter, 'resumed');
    },
    messageCreate(d) {
      return dispatch(open(), 'MESSAGE_CREATE', d);
    },
    queueWhileDisconnected(d) {
      if (!current) throw new Error('no session');
      const socket = current.socket;
      current.socket = null;
      dispatch(current, 'MESSAGE_CREATE', d);
      current.socket = socket;
    },
    reconnect() {
      open().socket!.send(JSON.stringify({ op: 7, d: null }));
    },
    invalidSession(resumable) {
      const session = open();
      if (!resumable) sessions.delete(session.id);
      session.socket!.send(JSON.stringify({ op: 9, d: resumable }));
    },
    drop() {
      open().socket!.terminate();
    },
    async waitForPosts(count) {
      while (posted.length < count) await once(emitter, 'posted');
      return posted;
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
