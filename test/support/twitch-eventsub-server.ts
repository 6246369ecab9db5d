/**
 * A local server playing Twitch EventSub over WebSocket for the real @twurple/eventsub-ws listener, plus
 * the Helix endpoints @twurple/api calls to create WebSocket subscriptions. Message shapes follow
 * https://dev.twitch.tv/docs/eventsub/handling-websocket-events/ :
 * session_welcome (session id, keepalive_timeout_seconds), session_keepalive, notification
 * (metadata.message_id / subscription_type), session_reconnect (reconnect_url), revocation.
 *
 * Paths: the socket is at `/ws` (and `/ws?reconnect=<old session>` for reconnect urls). Helix is served
 * both at `/helix/...` and at the paths twurple uses under TWURPLE_MOCK_API_PORT (`/eventsub/subscriptions`,
 * `/mock/<endpoint>`), because twurple 8.1.4 can reach a non-Twitch host only through that variable.
 *
 * Like Twitch, a subscription belongs to a session: it moves to the new session on session_reconnect
 * and dies with the session when the socket closes any other way. Chat subscriptions (`channel.chat.*`,
 * https://dev.twitch.tv/docs/eventsub/eventsub-subscription-types/#channelchatmessage) are read "as a
 * user": the condition's `user_id` must be the token's owner and the token must hold `user:read:chat`.
 * Several sockets may be open at once (the broadcaster's and the bot's): a notification goes to the
 * session that holds the subscription.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';

export interface FakeSubscription {
  id: string;
  type: string;
  version: string;
  condition: Record<string, string>;
  sessionId: string;
  status: string;
  createdAt: string;
}

interface Session {
  id: string;
  socket: WebSocket;
  keepaliveTimer: ReturnType<typeof setInterval> | null;
}

export interface TwitchEventSubServerOptions {
  clientId: string;
  /** Access token → the user it belongs to and the scopes it was granted. */
  tokens: Record<string, { userId: string; scopes: string[] }>;
  /** Sent in the welcome; fractional values are allowed here to keep tests fast. */
  keepaliveTimeoutSeconds?: number;
  /** Keepalives are sent at this interval (ms) while `keepalives` is true. Defaults to a third of the timeout. */
  keepaliveIntervalMs?: number;
  users?: Array<{ id: string; login: string; display_name: string }>;
}

export interface TwitchEventSubServer {
  readonly port: number;
  readonly wsUrl: string;
  readonly helixBaseUrl: string;
  readonly subscriptions: FakeSubscription[];
  /** Every session id that was welcomed, in order. */
  readonly sessionsWelcomed: string[];
  /** Sessions currently connected. */
  readonly openSessions: number;
  /** Stop (false) or resume (true) keepalives, to make the client's keepalive timer fire. */
  keepalives: boolean;
  /** Subscription POSTs seen, by outcome. */
  readonly calls: { created: number; refused: number };
  /** Resolves when `count` subscriptions exist (enabled) for the current session. */
  waitForSubscriptions(count: number): Promise<void>;
  /** Resolves when a subscription of this type exists on an open session. */
  waitForSubscription(type: string): Promise<FakeSubscription>;
  /** Resolves when the next welcome is sent; returns its session id. */
  nextWelcome(): Promise<string>;
  /** Sends a notification for the subscription of this type; returns the message id. */
  notify(type: string, event: Record<string, unknown>, options?: { messageId?: string }): string;
  /** Sends a session_reconnect; the client must connect to the reconnect url within the grace period. */
  sessionReconnect(): void;
  /** Revokes the subscription of this type with a revocation message. */
  revoke(type: string, status: string): void;
  close(): Promise<void>;
}

export async function startTwitchEventSubServer(options: TwitchEventSubServerOptions): Promise<TwitchEventSubServer> {
  const keepaliveSeconds = options.keepaliveTimeoutSeconds ?? 10;
  const keepaliveIntervalMs = options.keepaliveIntervalMs ?? Math.max(20, Math.floor((keepaliveSeconds * 1000) / 3));
  const emitter = new EventEmitter();
  const subscriptions: FakeSubscription[] = [];
  const sessions = new Map<string, Session>();
  const sessionsWelcomed: string[] = [];
  const calls = { created: 0, refused: 0 };
  let current: Session | null = null;
  const state = { keepalives: true };

  const frame = (type: string, payload: unknown, extra: Record<string, string> = {}) =>
    JSON.stringify({
      metadata: {
        message_id: extra['message_id'] ?? randomUUID(),
        message_type: type,
        message_timestamp: new Date().toISOString(),
        ...Object.fromEntries(Object.entries(extra).filter(([key]) => key !== 'message_id')),
      },
      payload,
    });

  const subscriptionView = (sub: FakeSubscription) => ({
    id: sub.id,
    status: sub.status,
    type: sub.type,
    version: sub.version,
    cost: 0,
    condition: sub.condition,
    transport: { method: 'websocket', session_id: sub.sessionId },
    created_at: sub.createdAt,
  });

  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => handleHttp(request, response, raw));
  });

  // Twitch sends its rate-limit bucket on every Helix response; twurple's limiter waits for these headers.
  const rateLimitHeaders = () => ({
    'ratelimit-limit': '800',
    'ratelimit-remaining': '799',
    'ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 60),
  });
  const reply = (response: http.ServerResponse, status: number, body?: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json', ...rateLimitHeaders() });
    response.end(body === undefined ? '' : JSON.stringify(body));
  };

  function handleHttp(request: http.IncomingMessage, response: http.ServerResponse, raw: string) {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/^\/(helix|mock)\//, '/');
    if (request.headers['client-id'] !== options.clientId) {
      return reply(response, 401, {
        error: 'Unauthorized',
        status: 401,
        message: 'Client ID and OAuth token do not match',
      });
    }
    const token = /^Bearer (.+)$/.exec(String(request.headers['authorization'] ?? ''))?.[1] ?? '';
    const owner = options.tokens[token];
    if (!owner) return reply(response, 401, { error: 'Unauthorized', status: 401, message: 'Invalid OAuth token' });

    if (path === '/users' && request.method === 'GET') {
      const ids = url.searchParams.getAll('id');
      const users = (options.users ?? []).filter((user) => ids.length === 0 || ids.includes(user.id));
      return reply(response, 200, { data: users });
    }
    if (path === '/eventsub/subscriptions' && request.method === 'POST') {
      let body: {
        type?: string;
        version?: string;
        condition?: Record<string, string>;
        transport?: Record<string, string>;
      };
      try {
        body = JSON.parse(raw) as typeof body;
      } catch {
        return reply(response, 400, { error: 'Bad Request', status: 400, message: 'malformed JSON' });
      }
      const sessionId = body.transport?.['session_id'] ?? '';
      if (body.transport?.['method'] !== 'websocket' || !sessions.has(sessionId)) {
        calls.refused += 1;
        return reply(response, 400, {
          error: 'Bad Request',
          status: 400,
          message: 'websocket transport session does not exist or has already disconnected',
        });
      }
      // WebSocket subscriptions need the token of a user named in the condition (broadcaster or moderator).
      const named = Object.values(body.condition ?? {});
      if (!named.includes(owner.userId)) {
        calls.refused += 1;
        return reply(response, 403, {
          error: 'Forbidden',
          status: 403,
          message: 'subscription missing proper authorization',
        });
      }
      if (String(body.type).startsWith('channel.chat.')) {
        if (body.condition?.['user_id'] !== owner.userId || !owner.scopes.includes('user:read:chat')) {
          calls.refused += 1;
          return reply(response, 403, {
            error: 'Forbidden',
            status: 403,
            message: 'subscription missing proper authorization',
          });
        }
      }
      const duplicate = subscriptions.find(
        (sub) =>
          sub.sessionId === sessionId &&
          sub.type === body.type &&
          JSON.stringify(sub.condition) === JSON.stringify(body.condition),
      );
      if (duplicate) {
        calls.refused += 1;
        return reply(response, 409, { error: 'Conflict', status: 409, message: 'subscription already exists' });
      }
      const sub: FakeSubscription = {
        id: randomUUID(),
        type: String(body.type),
        version: String(body.version),
        condition: body.condition ?? {},
        sessionId,
        status: 'enabled',
        createdAt: new Date().toISOString(),
      };
      subscriptions.push(sub);
      calls.created += 1;
      reply(response, 202, {
        data: [subscriptionView(sub)],
        total: subscriptions.length,
        total_cost: 0,
        max_total_cost: 10,
      });
      emitter.emit('subscribed');
      return;
    }
    if (path === '/eventsub/subscriptions' && request.method === 'DELETE') {
      const index = subscriptions.findIndex((sub) => sub.id === url.searchParams.get('id'));
      if (index < 0)
        return reply(response, 404, { error: 'Not Found', status: 404, message: 'subscription not found' });
      subscriptions.splice(index, 1);
      response.writeHead(204, rateLimitHeaders()).end();
      return;
    }
    if (path === '/eventsub/subscriptions' && request.method === 'GET') {
      return reply(response, 200, {
        data: subscriptions.map(subscriptionView),
        total: subscriptions.length,
        total_cost: 0,
        max_total_cost: 10,
        pagination: {},
      });
    }
    return reply(response, 404, { error: 'Not Found', status: 404, message: `no route ${request.method} ${path}` });
  }

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/ws') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => onSocket(ws, url.searchParams.get('reconnect')));
  });

  function startKeepalive(session: Session) {
    session.keepaliveTimer = setInterval(() => {
      if (state.keepalives && session.socket.readyState === WebSocket.OPEN) {
        session.socket.send(frame('session_keepalive', {}));
      }
    }, keepaliveIntervalMs);
  }

  function onSocket(ws: WebSocket, reconnectFrom: string | null) {
    const session: Session = { id: randomUUID(), socket: ws, keepaliveTimer: null };
    sessions.set(session.id, session);
    if (reconnectFrom) {
      // Subscriptions follow the session to its reconnect url (Twitch: "the new connection keeps them").
      for (const sub of subscriptions) if (sub.sessionId === reconnectFrom) sub.sessionId = session.id;
    }
    current = session;
    ws.on('close', () => {
      if (session.keepaliveTimer) clearInterval(session.keepaliveTimer);
      sessions.delete(session.id);
      // A closed session's subscriptions are gone, unless they already moved to a reconnect session.
      for (let i = subscriptions.length - 1; i >= 0; i -= 1) {
        if (subscriptions[i]!.sessionId === session.id) subscriptions.splice(i, 1);
      }
      if (current === session) current = null;
    });
    ws.on('message', () => {
      // Twitch closes the socket (4001) when a client sends anything; clients never should.
      ws.close(4001, 'client sent inbound traffic');
    });
    ws.send(
      frame('session_welcome', {
        session: {
          id: session.id,
          status: 'connected',
          connected_at: new Date().toISOString(),
          keepalive_timeout_seconds: keepaliveSeconds,
          reconnect_url: null,
          recovery_url: null,
        },
      }),
    );
    sessionsWelcomed.push(session.id);
    emitter.emit('welcome', session.id);
    startKeepalive(session);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const activeFor = (type: string) => {
    const open = subscriptions.filter((candidate) => candidate.type === type && sessions.has(candidate.sessionId));
    const sub = open.find((candidate) => candidate.sessionId === current?.id) ?? open[0];
    const session = sub ? sessions.get(sub.sessionId) : undefined;
    if (!sub || !session) throw new Error(`no ${type} subscription on an open session`);
    return { sub, session };
  };

  return {
    port,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    helixBaseUrl: `http://127.0.0.1:${port}/helix`,
    subscriptions,
    sessionsWelcomed,
    get openSessions() {
      return sessions.size;
    },
    get keepalives() {
      return state.keepalives;
    },
    set keepalives(on: boolean) {
      state.keepalives = on;
    },
    calls,
    async waitForSubscriptions(count) {
      const ready = () =>
        current !== null && subscriptions.filter((sub) => sub.sessionId === current!.id).length >= count;
      while (!ready()) await once(emitter, 'subscribed');
    },
    async waitForSubscription(type) {
      for (;;) {
        const found = subscriptions.find((sub) => sub.type === type && sessions.has(sub.sessionId));
        if (found) return found;
        await once(emitter, 'subscribed');
      }
    },
    async nextWelcome() {
      const [id] = (await once(emitter, 'welcome')) as [string];
      return id;
    },
    notify(type, event, notifyOptions = {}) {
      const { sub, session } = activeFor(type);
      const messageId = notifyOptions.messageId ?? randomUUID();
      session.socket.send(
        frame(
          'notification',
          { subscription: subscriptionView(sub), event },
          { message_id: messageId, subscription_type: sub.type, subscription_version: sub.version },
        ),
      );
      return messageId;
    },
    sessionReconnect() {
      if (!current) throw new Error('no session to reconnect');
      const session = current;
      session.socket.send(
        frame('session_reconnect', {
          session: {
            id: session.id,
            status: 'reconnecting',
            keepalive_timeout_seconds: null,
            reconnect_url: `ws://127.0.0.1:${port}/ws?reconnect=${session.id}`,
            connected_at: new Date().toISOString(),
          },
        }),
      );
    },
    revoke(type, status) {
      const { sub, session } = activeFor(type);
      subscriptions.splice(subscriptions.indexOf(sub), 1);
      sub.status = status;
      session.socket.send(
        frame(
          'revocation',
          { subscription: subscriptionView(sub) },
          { subscription_type: sub.type, subscription_version: sub.version },
        ),
      );
    },
    async close() {
      for (const session of sessions.values()) {
        if (session.keepaliveTimer) clearInterval(session.keepaliveTimer);
        session.socket.terminate();
      }
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
