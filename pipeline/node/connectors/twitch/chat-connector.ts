/**
 * Twitch chat in: the real tmi.js client, every line normalized by `normalizeIrcMessage` (the same
 * code `bitbrat replay --format irc` runs), deduplicated by message id, handed to the ingress sink.
 *
 * - No account: anonymous read-only (`justinfan*`), which Twitch allows for reading any channel.
 * - Reconnect with backoff and rejoin are tmi.js's own (`connection.reconnect*` options; it rejoins
 *   every channel on the 376 welcome). We only report it honestly.
 * - Stall: Twitch PINGs about every 5 minutes and tmi.js PINGs every 60 s, so a healthy socket carries
 *   a line at least every minute. A socket silent for `stallTimeoutMs` is half-open: we close it the
 *   way tmi.js's own ping timeout does, so tmi.js reconnects with its backoff.
 */
import type tmi from 'tmi.js';
import type { ConnectorHealth } from '../../../core/protocol/pipeline.js';
import type { InboundConnector, IngressSink } from '../connector.js';
import { normalizeIrcMessage, TWITCH_CHAT_CONNECTOR, type ParsedIrcMessage } from './irc-normalize.js';
import { RecentIds } from './recent-ids.js';

export interface TwitchChatConnectorOptions {
  /** Channel logins, with or without '#'. */
  channels: string[];
  /** The account to log in as; absent means anonymous read-only. The token is read at each (re)connect. */
  account?: { login: string; token: () => string | Promise<string> };
  /** Defaults to Twitch (irc-ws.chat.twitch.tv:443, TLS). Tests point this at a local server. */
  server?: { host: string; port: number; secure: boolean };
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number; decay?: number; maxAttempts?: number };
  /** No line at all for this long → the socket is considered dead and restarted. */
  stallTimeoutMs?: number;
  /** How many recent message ids are remembered to drop redeliveries. */
  dedupeSize?: number;
  now?: () => number;
  onState?: (health: ConnectorHealth) => void;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** A healthy connection carries tmi.js's PONG every 60 s; 2.5 minutes of silence means it is dead. */
export const DEFAULT_STALL_TIMEOUT_MS = 150_000;

type TmiClient = tmi.Client & {
  ws: { readyState: number; close(): void; terminate?: () => void } | null;
  reconnect: boolean;
  wasCloseCalled: boolean;
};

export class TwitchChatConnector implements InboundConnector {
  readonly id = TWITCH_CHAT_CONNECTOR;
  private client: TmiClient | null = null;
  private sink: IngressSink | null = null;
  private state: ConnectorHealth['state'] = 'idle';
  private detail: string | null = null;
  private lastEventAt: number | null = null;
  private lastLineAt = 0;
  private stallTimer: ReturnType<typeof setInterval> | null = null;
  private stopping = false;
  private readonly recent: RecentIds;
  private readonly now: () => number;
  private readonly stallTimeoutMs: number;
  /** Counters for the health detail and tests. */
  readonly stats = { accepted: 0, rejected: 0, duplicates: 0, malformed: 0, restarts: 0, connects: 0 };

  constructor(private readonly options: TwitchChatConnectorOptions) {
    this.now = options.now ?? Date.now;
    this.stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    this.recent = new RecentIds(options.dedupeSize ?? 10_000);
  }

  async start(sink: IngressSink): Promise<void> {
    if (this.client) throw new Error('twitch-chat connector already started');
    this.sink = sink;
    this.stopping = false;
    const { options } = this;
    const reconnect = options.reconnect ?? {};
    const log = options.log ?? (() => undefined);
    // Imported on first use: the one worker bundle is loaded by every pipeline worker, most never chat.
    const { default: tmiModule } = await import('tmi.js');
    const client = new tmiModule.Client({
      options: { skipUpdatingEmotesets: true, joinInterval: 300 },
      connection: {
        server: options.server?.host ?? 'irc-ws.chat.twitch.tv',
        port: options.server?.port ?? 443,
        secure: options.server?.secure ?? true,
        reconnect: true,
        reconnectInterval: reconnect.initialDelayMs ?? 1000,
        maxReconnectInterval: reconnect.maxDelayMs ?? 30_000,
        reconnectDecay: reconnect.decay ?? 1.5,
        maxReconnectAttempts: reconnect.maxAttempts ?? Infinity,
      },
      ...(options.account ? { identity: { username: options.account.login, password: options.account.token } } : {}),
      channels: options.channels.map((channel) => (channel.startsWith('#') ? channel : `#${channel}`).toLowerCase()),
      logger: {
        info: (message: string) => log('info', message),
        warn: (message: string) => log('warn', message),
        error: (message: string) => log('error', message),
      },
    }) as TmiClient;
    this.client = client;

    client.on('raw_message', (cloned: { [property: string]: unknown }) => this.onLine(cloned));
    client.on('connecting', () => this.setState('reconnecting', 'connecting'));
    client.on('connected', () => {
      this.stats.connects += 1;
      this.setState('connected', null);
    });
    client.on('disconnected', (reason: string) => {
      if (this.stopping) return;
      // tmi.js turns reconnect off after a login failure: that one needs the user, not a retry.
      this.setState(client.reconnect ? 'reconnecting' : 'failed', String(reason ?? 'disconnected'));
    });
    // 'maxreconnect' is emitted by tmi.js but missing from @types/tmi.js.
    (client as unknown as { on(event: string, listener: () => void): void }).on('maxreconnect', () =>
      this.setState('failed', 'gave up reconnecting'),
    );

    this.lastLineAt = this.now();
    this.stallTimer = setInterval(() => this.checkStall(), Math.max(50, Math.floor(this.stallTimeoutMs / 3)));
    this.stallTimer.unref?.();
    try {
      await client.connect();
    } catch (error) {
      // tmi.js keeps retrying on its own (unless the login was refused); the state says which.
      if (this.state === 'idle') this.setState(client.reconnect ? 'reconnecting' : 'failed', String(error));
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.stallTimer = null;
    const client = this.client;
    this.client = null;
    if (client) {
      client.reconnect = false;
      // tmi.js may already have a reconnect timer running (it cannot be cancelled): make it a no-op,
      // or a stopped connector would open a socket nobody listens to.
      client.connect = () => Promise.resolve(['', 0]);
      client.removeAllListeners();
      if (client.ws) await client.disconnect().catch(() => undefined);
    }
    this.setState('idle', 'stopped');
  }

  health(): ConnectorHealth {
    return { id: this.id, state: this.state, lastEventAt: this.lastEventAt, detail: this.detail };
  }

  private setState(state: ConnectorHealth['state'], detail: string | null): void {
    const changed = state !== this.state || detail !== this.detail;
    this.state = state;
    this.detail = detail;
    if (changed) this.options.onState?.(this.health());
  }

  private checkStall(): void {
    const client = this.client;
    if (!client || this.state !== 'connected') return;
    if (this.now() - this.lastLineAt < this.stallTimeoutMs) return;
    this.stats.restarts += 1;
    this.setState('reconnecting', `no line from Twitch for ${Math.round((this.now() - this.lastLineAt) / 1000)} s`);
    this.lastLineAt = this.now();
    // Exactly what tmi.js's ping timeout does: close without `wasCloseCalled`, so its reconnect runs.
    // terminate() (ws in Node) drops a half-open socket at once instead of waiting for a close frame.
    const socket = client.ws;
    if (!socket) return;
    client.wasCloseCalled = false;
    if (typeof socket.terminate === 'function') socket.terminate();
    else socket.close();
  }

  private onLine(parsed: { [property: string]: unknown }): void {
    this.lastLineAt = this.now();
    const sink = this.sink;
    if (!sink) return;
    const message = parsed as unknown as ParsedIrcMessage;
    const result = normalizeIrcMessage(message);
    if (!result.ok) {
      if (!result.notAnEvent) this.stats.malformed += 1;
      return;
    }
    const key = dedupeKey(message, result.event.externalEvent?.id);
    if (key && !this.recent.add(key)) {
      this.stats.duplicates += 1;
      return;
    }
    const submitted = sink.accept(result.event, typeof message.raw === 'string' ? message.raw : undefined);
    if (submitted.ok) {
      this.stats.accepted += 1;
      this.lastEventAt = this.now();
    } else {
      this.stats.rejected += 1;
    }
  }
}

/** Message id when Twitch gave one; CLEARCHAT has none, so its own facts make the key. */
function dedupeKey(message: ParsedIrcMessage, id: string | undefined): string | null {
  if (id) return `id:${id}`;
  const sent = message.tags?.['tmi-sent-ts'];
  if (typeof sent !== 'string') return null;
  return `${message.command}:${message.params.join(' ')}:${String(message.tags['target-user-id'] ?? '')}:${sent}`;
}
