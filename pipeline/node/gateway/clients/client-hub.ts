/**
 * The client WebSocket API at `/api/clients` (protocol v1, pipeline/core/client-protocol.ts).
 *
 * A client authenticates with its token as a WebSocket subprotocol (`bitbrat.token.<token>`, next
 * to `bitbrat.client.v1`), exactly like the console, so the token never appears in a URL or an
 * access log (the OBS overlay is the one exception: OBS can only open a URL). Its identity comes
 * from the token, never from a frame. Every refusal is answered with an error frame and counted.
 */
import type { IncomingMessage } from 'node:http';
import { describeIssues } from '../../../core/zod-issues.js';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  CLIENT_CHAT_TYPE,
  CLIENT_EVENT_TYPES,
  CLIENT_FRAME_TYPES,
  CLIENT_PROTOCOL_VERSION,
  ClientFrameSchema,
  TOPIC_SCOPES,
  type ClientAlert,
  type ClientCounters,
  type ClientErrorCode,
  type ClientFrame,
  type ClientReply,
  type ClientTopic,
  type FrameId,
  type GatewayDelivery,
  type ServerFrame,
  CLIENT_TRIGGER_TYPE,
} from '../../../core/client-protocol.js';
import type { EventDetail, EventPage, EventQuery } from '../../../core/host-api.js';
import type { EventSummary, SubmitResult } from '../../../core/protocol/pipeline.js';
import { ALERT_ANNOTATION, ALERT_EVENT_TYPES } from '../../../core/alerts.js';
import type { LogLevel } from '../../../core/rpc.js';
import {
  CLIENT_WS_PROTOCOL,
  CLOSE_REVOKED,
  CLOSE_SUBPROTOCOL_REQUIRED,
  CLOSE_TOO_SLOW,
  CLOSE_UNAUTHORIZED,
  TOKEN_PROTOCOL_PREFIX,
} from '../../../core/protocol/websocket.js';
import { CLIENT_SOURCE_PREFIX, GATEWAY_CLIENTS_CONNECTOR } from './client-delivery.js';
import type { ClientIdentity } from './client-tokens.js';
import { TokenBucket } from './token-bucket.js';
import { KnownEventTypes } from '../../../core/envelope.js';

export const SUBPROTOCOL_REQUIRED_REASON = `offer the subprotocol ${CLIENT_WS_PROTOCOL}`;

/**
 * Which subprotocol the server answers with. Without `bitbrat.client.v1` on offer, standard clients
 * (browsers, `ws`) abort a handshake whose answer names none of their offers (1006, no reason), so
 * the server picks one of the offered protocols to finish the handshake and then closes with
 * CLOSE_SUBPROTOCOL_REQUIRED and a reason the client can show. A non-token offer is preferred so
 * the token is not echoed back in a header.
 */
export function chooseClientSubprotocol(offered: ReadonlySet<string>): string | false {
  if (offered.has(CLIENT_WS_PROTOCOL)) return CLIENT_WS_PROTOCOL;
  const all = [...offered];
  return all.find((protocol) => !protocol.startsWith(TOKEN_PROTOCOL_PREFIX)) ?? all[0] ?? false;
}

export interface ClientLimits {
  /** Frames above this are refused with an error frame; the socket stays open. */
  maxFrameBytes: number;
  /** Frames above this end the socket (1009): nobody reads a megabyte to refuse it. */
  hardFrameBytes: number;
  ratePerSecond: number;
  burst: number;
  /** Server pings this often; a socket that missed one whole interval is dead and closed. */
  heartbeatMs: number;
  /** A socket this far behind on reading loses it rather than the host's memory. */
  maxBufferedBytes: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = {
  maxFrameBytes: 16 * 1024,
  hardFrameBytes: 256 * 1024,
  ratePerSecond: 10,
  burst: 20,
  heartbeatMs: 15_000,
  maxBufferedBytes: 4 * 1024 * 1024,
};

/** Catch-up after a reconnect reaches back at most this far. */
export const CATCH_UP_MS = 5 * 60_000;
const CATCH_UP_ITEMS = 20;
export interface ClientHubDeps {
  authenticate(token: string): ClientIdentity | null;
  submit(connector: string, items: unknown[]): Promise<SubmitResult[]>;
  subscribeFeed(listener: (summaries: EventSummary[]) => void): () => void;
  subscribeDeliveries(listener: (deliveries: GatewayDelivery[]) => void): () => void;
  /** Alerts the `overlay-alerts` step published. */
  subscribeAlerts(listener: (alerts: ClientAlert[]) => void): () => void;
  listEvents(query: EventQuery): Promise<EventPage>;
  getEvent(id: string): Promise<EventDetail | null>;
  /** Records when a client last connected (best effort). */
  markUsed?(clientId: string): void;
  isOwnOrigin(origin: string, hostHeader: string | undefined): boolean;
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  limits?: Partial<ClientLimits>;
  now?: () => number;
}

export interface ClientHub {
  /** The gateway's upgrade handler for `/api/clients`. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every socket of a revoked client at once. */
  disconnect(clientId: string): void;
  counters(): ClientCounters;
  close(): void;
}

interface Connection {
  ws: WebSocket;
  client: ClientIdentity;
  topics: Set<ClientTopic>;
  alive: boolean;
}

/** A bounded set of ids already published (the feed may repeat a summary). */
class SeenIds {
  private current = new Set<string>();
  private previous = new Set<string>();
  add(id: string): boolean {
    if (this.current.has(id) || this.previous.has(id)) return false;
    if (this.current.size >= 5_000) {
      this.previous = this.current;
      this.current = new Set();
    }
    this.current.add(id);
    return true;
  }
}

export function toClientReply(summary: EventSummary): ClientReply {
  return {
    eventId: summary.id,
    at: summary.updatedAt,
    channel: summary.channel,
    to: { login: summary.login, displayName: summary.displayName },
    text: summary.reply ?? '',
  };
}

export function createClientHub(deps: ClientHubDeps): ClientHub {
  const limits: ClientLimits = { ...DEFAULT_CLIENT_LIMITS, ...deps.limits };
  const now = deps.now ?? Date.now;
  const connections = new Set<Connection>();
  const buckets = new Map<string, TokenBucket>();
  const counters: ClientCounters = { connected: 0, accepted: 0, delivered: 0, refused: {} };
  const seenReplies = new SeenIds();
  const seenAlerts = new SeenIds();
  const seenEvents = new SeenIds();

  const count = (code: ClientErrorCode) => {
    counters.refused[code] = (counters.refused[code] ?? 0) + 1;
  };
  const send = (connection: Connection, frame: ServerFrame): void => {
    const { ws } = connection;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > limits.maxBufferedBytes) {
      // It stopped reading: cut it loose rather than buffer without bound.
      ws.close(CLOSE_TOO_SLOW, 'too far behind');
      return;
    }
    ws.send(JSON.stringify(frame));
  };
  const refuse = (connection: Connection, id: FrameId | null, code: ClientErrorCode, message: string) => {
    count(code);
    send(connection, { type: 'error', id, payload: { code, message } });
  };
  const publish = (topic: ClientTopic, frame: ServerFrame, filter?: (connection: Connection) => boolean) => {
    for (const connection of connections) {
      if (connection.topics.has(topic) && (!filter || filter(connection))) {
        send(connection, frame);
        counters.delivered += 1;
      }
    }
  };

  // ------------------------------------------------------------ pushes from the host
  const unsubscribeFeed = deps.subscribeFeed((summaries) => {
    for (const summary of summaries) {
      if (summary.disposition === 'replied' && summary.reply && seenReplies.add(summary.id)) {
        publish('replies', { type: 'reply', id: null, payload: toClientReply(summary) });
      }
      if (summary.disposition && seenEvents.add(summary.id)) {
        publish('events', {
          type: 'event',
          id: null,
          payload: {
            eventId: summary.id,
            type: summary.type,
            at: summary.at,
            channel: summary.channel,
            connector: summary.connector,
            login: summary.login,
            displayName: summary.displayName,
            text: summary.text,
            disposition: summary.disposition,
            reply: summary.reply,
          },
        });
      }
    }
  });
  const unsubscribeAlerts = deps.subscribeAlerts((alerts) => {
    for (const alert of alerts) {
      if (seenAlerts.add(alert.eventId)) publish('alerts', { type: 'alert', id: null, payload: alert });
    }
  });
  const unsubscribeDeliveries = deps.subscribeDeliveries((deliveries) => {
    for (const delivery of deliveries) {
      // Receive-scoped clients see every delivery; a send-only client sees the replies to its own events.
      publish(
        'deliveries',
        { type: 'delivery', id: null, payload: delivery },
        (connection) => connection.client.scopes.includes('receive') || connection.client.name === delivery.client,
      );
    }
  });

  // ------------------------------------------------------------ catch-up after a reconnect
  const catchUp = async (connection: Connection, topics: ClientTopic[], since: number) => {
    const from = Math.max(since, now() - CATCH_UP_MS);
    if (topics.includes('replies')) {
      const page = await deps.listEvents({ disposition: 'replied', since: from, limit: CATCH_UP_ITEMS });
      for (const summary of page.items.reverse()) {
        if (summary.reply) send(connection, { type: 'reply', id: null, payload: toClientReply(summary) });
      }
    }
    if (topics.includes('alerts')) {
      // The alert as published is on the event (the step's annotation): an overlay that was away plays it now.
      const found: ClientAlert[] = [];
      for (const type of Object.values(ALERT_EVENT_TYPES)) {
        for (const summary of (await deps.listEvents({ type, since: from, limit: CATCH_UP_ITEMS })).items) {
          const detail = await deps.getEvent(summary.id);
          const annotation = detail?.event.annotations.find((item) => item.kind === ALERT_ANNOTATION);
          if (annotation) found.push(annotation.value as ClientAlert);
        }
      }
      found.sort((a, b) => a.at - b.at);
      for (const alert of found.slice(-CATCH_UP_ITEMS)) send(connection, { type: 'alert', id: null, payload: alert });
    }
  };

  // ------------------------------------------------------------ frames from a client
  const inboundFor = (
    client: ClientIdentity,
    frame: Extract<ClientFrame, { type: (typeof CLIENT_EVENT_TYPES)[number] }>,
  ) => {
    const base = {
      ingress: {
        connector: GATEWAY_CLIENTS_CONNECTOR,
        source: `${CLIENT_SOURCE_PREFIX}${client.name}`,
        channel: `${CLIENT_SOURCE_PREFIX}${client.name}`,
      },
      // Who speaks is the token's client, on a platform of its own: it can never pass for a Twitch
      // user, and it never carries a role (a client cannot act as a moderator).
      identity: {
        external: { id: client.id, platform: 'gateway', login: client.name, displayName: client.name, roles: [] },
      },
    };
    if (frame.type === CLIENT_CHAT_TYPE) {
      // Chat from a client runs the chat rules (commands, bot mentions) like any chat message.
      return {
        ...base,
        type: KnownEventTypes.chatMessage,
        message: { text: frame.payload.text, ...(frame.payload.messageId ? { id: frame.payload.messageId } : {}) },
      };
    }
    return { ...base, type: frame.type, details: { name: frame.payload.name, args: frame.payload.args } };
  };

  const onFrame = async (connection: Connection, data: RawData, isBinary: boolean) => {
    connection.alive = true;
    const size = Array.isArray(data) ? data.reduce((sum, part) => sum + part.length, 0) : (data as Buffer).byteLength;
    if (size > limits.maxFrameBytes) {
      return refuse(connection, null, 'FRAME_TOO_LARGE', `frames are limited to ${limits.maxFrameBytes} bytes`);
    }
    let bucket = buckets.get(connection.client.id);
    if (!bucket)
      buckets.set(connection.client.id, (bucket = new TokenBucket(limits.ratePerSecond, limits.burst, now())));
    if (!bucket.take(now())) {
      return refuse(
        connection,
        null,
        'RATE_LIMITED',
        `at most ${limits.ratePerSecond} frames per second (burst ${limits.burst})`,
      );
    }
    if (isBinary) return refuse(connection, null, 'BAD_FRAME', 'binary frames are not accepted; send JSON text');
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString());
    } catch {
      return refuse(connection, null, 'BAD_FRAME', 'a frame must be JSON: {type, id, payload}');
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return refuse(connection, null, 'BAD_FRAME', 'a frame must be a JSON object: {type, id, payload}');
    }
    const rawId = (raw as { id?: unknown }).id;
    const id: FrameId | null = typeof rawId === 'string' || typeof rawId === 'number' ? rawId : null;
    const type = (raw as { type?: unknown }).type;
    if (typeof type !== 'string' || !CLIENT_FRAME_TYPES.includes(type)) {
      return refuse(
        connection,
        id,
        'FORBIDDEN_TYPE',
        `frame type ${JSON.stringify(type)} is not allowed; clients may send ${CLIENT_FRAME_TYPES.join(', ')}`,
      );
    }
    const parsed = ClientFrameSchema.safeParse(raw);
    if (!parsed.success) {
      const unknown = parsed.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key].join('.')) : [],
      );
      if (unknown.length > 0) {
        return refuse(
          connection,
          id,
          'FORBIDDEN_FIELD',
          `not allowed in a ${type} frame: ${unknown.join(', ')} (the sender is always the token's client)`,
        );
      }
      const detail = describeIssues(parsed.error, { limit: 3 });
      return refuse(connection, id, 'INVALID_PAYLOAD', detail);
    }
    const frame = parsed.data;
    const { client } = connection;
    switch (frame.type) {
      case CLIENT_CHAT_TYPE:
      case CLIENT_TRIGGER_TYPE: {
        if (!client.scopes.includes('send')) {
          return refuse(
            connection,
            frame.id,
            'SCOPE',
            `the token of "${client.name}" may not send events (no "send" scope)`,
          );
        }
        let result: SubmitResult | undefined;
        try {
          [result] = await deps.submit(GATEWAY_CLIENTS_CONNECTOR, [inboundFor(client, frame)]);
        } catch (error) {
          return refuse(connection, frame.id, 'UNAVAILABLE', `the pipeline did not take the event: ${String(error)}`);
        }
        if (!result?.ok) {
          // UNAVAILABLE: the store could not commit it in time; nothing was stored, the client may resend.
          const code = result?.code === 'UNAVAILABLE' ? 'UNAVAILABLE' : 'REJECTED';
          return refuse(connection, frame.id, code, result?.error ?? 'not accepted');
        }
        counters.accepted += 1;
        return send(connection, { type: 'ack', id: frame.id, payload: { eventId: result.id } });
      }
      case 'subscribe': {
        const denied = frame.payload.topics.filter(
          (topic) => !TOPIC_SCOPES[topic].some((scope) => client.scopes.includes(scope)),
        );
        if (denied.length > 0) {
          return refuse(
            connection,
            frame.id,
            'SCOPE',
            `the token of "${client.name}" may not subscribe to ${denied.join(', ')}`,
          );
        }
        for (const topic of frame.payload.topics) connection.topics.add(topic);
        send(connection, { type: 'ack', id: frame.id, payload: { topics: [...connection.topics] } });
        if (frame.payload.since !== undefined) {
          await catchUp(connection, frame.payload.topics, frame.payload.since).catch((error: unknown) =>
            deps.log('warn', 'client catch-up failed', { client: client.name, error: String(error) }),
          );
        }
        return;
      }
      case 'unsubscribe':
        for (const topic of frame.payload.topics) connection.topics.delete(topic);
        return send(connection, { type: 'ack', id: frame.id, payload: { topics: [...connection.topics] } });
      case 'ping':
        return send(connection, { type: 'pong', id: frame.id, payload: { at: now() } });
    }
  };

  // ------------------------------------------------------------ sockets
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.hardFrameBytes,
    handleProtocols: chooseClientSubprotocol,
  });

  const heartbeat = setInterval(() => {
    for (const connection of connections) {
      if (!connection.alive) {
        count('DEAD_SOCKET');
        deps.log('info', 'closed a dead client socket', { client: connection.client.name });
        connection.ws.terminate();
        continue;
      }
      connection.alive = false;
      if (connection.ws.readyState === connection.ws.OPEN) connection.ws.ping();
    }
  }, limits.heartbeatMs);
  heartbeat.unref();

  const accept = (ws: WebSocket, request: IncomingMessage) => {
    ws.on('error', (error) => deps.log('warn', 'client socket error', { error: error.message }));
    const offered = String(request.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((part) => part.trim())
      .find((part) => part.startsWith(TOKEN_PROTOCOL_PREFIX));
    const client = offered ? deps.authenticate(offered.slice(TOKEN_PROTOCOL_PREFIX.length)) : null;
    const fromLocalFile = request.headers.origin === 'null';
    if (client && fromLocalFile && client.scopes.some((scope) => scope !== 'read-only')) {
      count('FORBIDDEN_ORIGIN');
      deps.log('warn', 'refused a local-file page holding a token that can do more than read', { client: client.name });
      ws.close(CLOSE_UNAUTHORIZED, 'local files may only use read-only tokens');
      return;
    }
    if (ws.protocol !== CLIENT_WS_PROTOCOL) {
      count('UNAUTHORIZED');
      if (ws.readyState === ws.OPEN) {
        const payload = { code: 'UNAUTHORIZED', message: SUBPROTOCOL_REQUIRED_REASON };
        ws.send(JSON.stringify({ type: 'error', id: null, payload }));
      }
      ws.close(CLOSE_SUBPROTOCOL_REQUIRED, SUBPROTOCOL_REQUIRED_REASON);
      return;
    }
    if (!client) {
      count('UNAUTHORIZED');
      const message = 'missing, wrong or revoked client token (offer it as the subprotocol bitbrat.token.<token>)';
      if (ws.readyState === ws.OPEN)
        ws.send(JSON.stringify({ type: 'error', id: null, payload: { code: 'UNAUTHORIZED', message } }));
      ws.close(CLOSE_UNAUTHORIZED, 'unauthorized');
      return;
    }
    const connection: Connection = { ws, client, topics: new Set(), alive: true };
    connections.add(connection);
    counters.connected = connections.size;
    deps.markUsed?.(client.id);
    ws.on('pong', () => {
      connection.alive = true;
    });
    ws.on('message', (data, isBinary) => {
      onFrame(connection, data, isBinary).catch((error: unknown) => {
        deps.log('error', 'a client frame failed', { client: client.name, error: String(error) });
        refuse(connection, null, 'UNAVAILABLE', 'the frame could not be handled');
      });
    });
    ws.on('close', () => {
      connections.delete(connection);
      counters.connected = connections.size;
    });
    send(connection, {
      type: 'welcome',
      id: null,
      payload: {
        version: CLIENT_PROTOCOL_VERSION,
        client: { name: client.name, scopes: client.scopes },
        limits: {
          maxFrameBytes: limits.maxFrameBytes,
          ratePerSecond: limits.ratePerSecond,
          burst: limits.burst,
          heartbeatMs: limits.heartbeatMs,
        },
      },
    });
  };

  return {
    handleUpgrade(request, socket, head) {
      const origin = request.headers.origin;
      // Browser pages may connect only from this gateway's own pages (the overlay); tools outside a
      // browser send no Origin. A foreign page cannot ride a token that happens to be in a browser.
      // The one exception is a local file (Origin "null"): the OBS overlay file, which OBS can load
      // before BitBrat runs. It is let in with a read-only token only (checked after authentication).
      if (origin !== undefined && origin !== 'null' && !deps.isOwnOrigin(origin, request.headers.host)) {
        count('FORBIDDEN_ORIGIN');
        deps.log('warn', 'refused a client socket from a foreign origin', { origin });
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\nforeign origin');
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request));
    },
    disconnect(clientId) {
      for (const connection of connections) {
        if (connection.client.id !== clientId) continue;
        refuse(connection, null, 'UNAUTHORIZED', 'this client token was revoked');
        connection.ws.close(CLOSE_REVOKED, 'token revoked');
      }
      buckets.delete(clientId);
    },
    counters: () => ({ ...counters, refused: { ...counters.refused } }),
    close() {
      clearInterval(heartbeat);
      unsubscribeFeed();
      unsubscribeDeliveries();
      unsubscribeAlerts();
      for (const connection of connections) connection.ws.close(1001, 'server stopping');
      wss.close();
    },
  };
}
