/**
 * The ingress worker's Twitch connectors, driven by what the host pushes on the control line:
 * - chat whenever a channel is set: over EventSub `channel.chat.*` as the bot when the host says the bot
 *   chats over EventSub (falling back to tmi.js when Twitch will not create the chat subscriptions),
 *   else tmi.js as the bot when one is linked, else tmi.js anonymous read-only;
 * - EventSub whenever the broadcaster is linked, subscribing to what its granted scopes allow.
 *
 * A token refresh does not restart anything: both connectors read the current token when they
 * (re)connect. A connector is restarted only when what it connects as changes, or when it failed
 * (Twitch refused the login) and a new token arrived.
 */
import type { ConnectorHealth } from '../../core/protocol/pipeline.js';
import type { TwitchAccountName, TwitchWorkerConfig } from '../../core/protocol/twitch.js';
import type { InboundConnector, IngressSink } from '../connectors/connector.js';
import { TwitchChatConnector } from '../connectors/twitch/chat-connector.js';
import { TwitchEventSubConnector } from '../connectors/twitch/eventsub-connector.js';
import { createTokenAuthProvider } from '../connectors/twitch/helix-auth-provider.js';
import { TWITCH_CHAT_CONNECTOR } from '../connectors/twitch/irc-normalize.js';
import { TWITCH_EVENTSUB_CONNECTOR } from '../connectors/twitch/eventsub-normalize.js';
import { lookupTwitchUserId } from '../connectors/twitch/helix-chat.js';
import { EVENTSUB_CHAT_SUBSCRIPTIONS } from '../connectors/twitch/scopes.js';
import { KnownEventTypes } from '../../core/envelope.js';

type Log = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface TwitchIngressDeps {
  /** The ingress worker's own start/stop (which keeps the connector in its health list). */
  startConnector(connector: InboundConnector): Promise<void>;
  stopConnector(id: string): Promise<void>;
  /** Asks the host to refresh the account's token (it pushes the config again). */
  requestToken(account: TwitchAccountName, reason: string): void;
  log: Log;
  /** How long a connector waits for the host's new token after asking (default 15 s). */
  tokenWaitMs?: number;
}

interface Running {
  key: string;
  /** The access token the connector started with. */
  token: string | null;
  connector: InboundConnector;
}

interface TokenWaiter {
  account: TwitchAccountName;
  before: string | null;
  resolve(token: { accessToken: string; scopes: string[] }): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class TwitchIngress {
  private config: TwitchWorkerConfig | null = null;
  private chat: Running | null = null;
  private eventsub: Running | null = null;
  private waiters: TokenWaiter[] = [];
  /** Why EventSub chat gave way to tmi.js for this chat key (null: not fallen back). */
  private chatFallback: { key: string; reason: string } | null = null;
  /** Applies one config at a time, in order. */
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly deps: TwitchIngressDeps) {}

  apply(config: TwitchWorkerConfig | null): Promise<void> {
    const next = this.applying.then(() => this.applyNow(config));
    this.applying = next.catch(() => undefined);
    return next;
  }

  async stop(): Promise<void> {
    await this.apply(null);
  }

  private async applyNow(config: TwitchWorkerConfig | null): Promise<void> {
    this.config = config;
    this.settleWaiters();
    const chatOverEventSub = eventsubChatKey(config);
    if (this.chatFallback && this.chatFallback.key !== chatOverEventSub) this.chatFallback = null;
    const fallback = chatOverEventSub !== null ? this.chatFallback : null;
    const overEventSub = chatOverEventSub !== null && !fallback;
    this.chat = await this.reconcile(
      this.chat,
      TWITCH_CHAT_CONNECTOR,
      overEventSub ? chatOverEventSub : chatKey(config),
      config?.bot ?? null,
      () =>
        overEventSub ? this.createEventSubChat(config!, chatOverEventSub) : this.createChat(config!, fallback?.reason),
    );
    this.eventsub = await this.reconcile(
      this.eventsub,
      TWITCH_EVENTSUB_CONNECTOR,
      eventsubKey(config),
      config?.broadcaster ?? null,
      () => this.createEventSub(config!),
    );
  }

  private async reconcile(
    running: Running | null,
    id: string,
    key: string | null,
    account: { accessToken: string } | null,
    create: () => InboundConnector | Promise<InboundConnector>,
  ): Promise<Running | null> {
    const token = account?.accessToken ?? null;
    const failed = running?.connector.health().state === 'failed';
    const keep = running && running.key === key && !(failed && token !== running.token);
    if (keep) return running;
    if (running) await this.deps.stopConnector(id);
    if (key === null) return null;
    try {
      const connector = await create();
      await this.deps.startConnector(connector);
      return { key, token, connector };
    } catch (error) {
      this.deps.log('warn', `${id} did not start`, { error: error instanceof Error ? error.message : String(error) });
      return null;
    }
  }

  private createChat(config: TwitchWorkerConfig, fallbackReason?: string): InboundConnector {
    const bot = config.bot;
    const chat = new TwitchChatConnector({
      channels: [config.channel],
      // Read at each (re)connect, so a refreshed token is used without a restart.
      ...(bot ? { account: { login: bot.login, token: () => this.config?.bot?.accessToken ?? bot.accessToken } } : {}),
      server: config.irc,
      onState: (health) => {
        // tmi.js stops reconnecting when Twitch refuses the login: a new token is the only cure.
        if (bot && health.state === 'failed' && /auth|login|token/i.test(health.detail ?? '')) {
          this.deps.requestToken('bot', `chat login refused: ${health.detail ?? ''}`.slice(0, 200));
        }
      },
      log: (level, message) => this.deps.log(level === 'info' ? 'debug' : level, `twitch-chat: ${message}`),
    });
    const reading = bot ? withoutOwnMessages(chat, bot.login) : chat;
    return fallbackReason ? withHealthNote(reading, `IRC fallback: ${fallbackReason}`) : reading;
  }

  /**
   * The bot reads chat over EventSub: its own socket and token, condition {broadcaster_user_id, user_id:
   * bot}. When Twitch will not create `channel.chat.message` (scope, ban, no such channel) or revokes it,
   * chat falls back to tmi.js for this bot and channel, and the health entry says why.
   */
  private async createEventSubChat(config: TwitchWorkerConfig, key: string): Promise<InboundConnector> {
    const bot = config.bot!;
    const token = () => this.config?.bot?.accessToken ?? bot.accessToken;
    let broadcasterId: string;
    try {
      broadcasterId =
        config.broadcaster?.login === config.channel
          ? config.broadcaster.userId
          : await lookupTwitchUserId({
              clientId: config.clientId,
              token: token(),
              login: config.channel,
              baseUrl: config.helixUrl,
            });
    } catch (error) {
      // No channel id, no EventSub condition: read over IRC rather than not at all.
      const reason = `could not look up #${config.channel} for EventSub chat (${error instanceof Error ? error.message : String(error)})`;
      this.chatFallback = { key, reason };
      this.deps.log('warn', `twitch-chat: ${reason}; reading chat over IRC instead`);
      return this.createChat(config, reason);
    }
    const { ApiClient } = await import('@twurple/api');
    const apiClient = new ApiClient({
      authProvider: createTokenAuthProvider({
        clientId: config.clientId,
        userId: bot.userId,
        scopes: bot.scopes,
        tokens: {
          accessToken: async () => token(),
          refresh: () => this.waitForNewToken('bot', 'Helix answered 401 while creating the chat subscriptions'),
        },
      }),
    });
    const fallBack = (reason: string) => {
      if (this.chatFallback?.key === key || eventsubChatKey(this.config) !== key) return;
      this.chatFallback = { key, reason };
      this.deps.log('warn', `twitch-chat: ${reason}; reading chat over IRC instead`);
      void this.apply(this.config);
    };
    const chat = new TwitchEventSubConnector({
      id: TWITCH_CHAT_CONNECTOR,
      apiClient,
      broadcasterId,
      userId: bot.userId,
      grantedScopes: bot.scopes,
      subscriptions: EVENTSUB_CHAT_SUBSCRIPTIONS,
      ...(config.eventsubUrl ? { url: config.eventsubUrl } : {}),
      onSubscriptionFailure: (type, error) => {
        if (type === 'channel.chat.message') fallBack(`EventSub chat not available (${error})`.slice(0, 300));
      },
      onRevocation: (revocation) => {
        if (revocation.type === 'channel.chat.message') {
          fallBack(`Twitch revoked EventSub chat (${revocation.status})`);
        }
      },
      log: (level, message) => this.deps.log(level === 'info' ? 'debug' : level, `twitch-chat (EventSub): ${message}`),
    });
    return withoutOwnMessages(chat, bot.login);
  }

  private async createEventSub(config: TwitchWorkerConfig): Promise<InboundConnector> {
    const broadcaster = config.broadcaster!;
    // Imported on first use: @twurple/api is slow to load and most workers never need it.
    const { ApiClient } = await import('@twurple/api');
    const apiClient = new ApiClient({
      authProvider: createTokenAuthProvider({
        clientId: config.clientId,
        userId: broadcaster.userId,
        scopes: broadcaster.scopes,
        tokens: {
          accessToken: async () => {
            const current = this.config?.broadcaster;
            if (!current) throw new Error('the broadcaster account is no longer linked');
            return current.accessToken;
          },
          refresh: () =>
            this.waitForNewToken('broadcaster', 'Helix answered 401 while creating EventSub subscriptions'),
        },
      }),
    });
    return new TwitchEventSubConnector({
      apiClient,
      broadcasterId: broadcaster.userId,
      userId: broadcaster.userId,
      grantedScopes: broadcaster.scopes,
      ...(config.eventsubUrl ? { url: config.eventsubUrl } : {}),
      onRevocation: (revocation) => {
        if (revocation.status === 'authorization_revoked') {
          this.deps.requestToken('broadcaster', `EventSub authorization revoked (${revocation.type})`);
        }
      },
      log: (level, message) => this.deps.log(level === 'info' ? 'debug' : level, `twitch-eventsub: ${message}`),
    });
  }

  /** Asks the host for a fresh token and resolves with it once pushed (rejects when the account is gone). */
  private waitForNewToken(
    account: TwitchAccountName,
    reason: string,
  ): Promise<{ accessToken: string; scopes: string[] }> {
    const before = this.config?.[account]?.accessToken ?? null;
    return new Promise((resolve, reject) => {
      const waiter: TokenWaiter = {
        account,
        before,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((entry) => entry !== waiter);
          reject(new Error(`no new ${account} token from the host within the wait`));
        }, this.deps.tokenWaitMs ?? 15_000),
      };
      this.waiters.push(waiter);
      this.deps.requestToken(account, reason);
    });
  }

  private settleWaiters(): void {
    this.waiters = this.waiters.filter((waiter) => {
      const current = this.config?.[waiter.account];
      if (current && current.accessToken === waiter.before) return true;
      clearTimeout(waiter.timer);
      if (current) waiter.resolve({ accessToken: current.accessToken, scopes: current.scopes });
      else waiter.reject(new Error(`the ${waiter.account} account needs to log in again`));
      return false;
    });
  }
}

function chatKey(config: TwitchWorkerConfig | null): string | null {
  if (!config || !config.channel) return null;
  return JSON.stringify([config.channel, config.irc, config.bot?.login ?? null]);
}

/** Non-null when the bot reads chat over EventSub (the host resolved `chatTransport` to it). */
function eventsubChatKey(config: TwitchWorkerConfig | null): string | null {
  const bot = config?.bot;
  if (!config || !config.channel || !bot || config.chatTransport !== 'eventsub') return null;
  // The scopes are in the key: a new login that grants more tries EventSub again after a fallback.
  return JSON.stringify([
    'eventsub',
    config.channel,
    bot.userId,
    [...bot.scopes].sort(),
    config.eventsubUrl,
    config.helixUrl,
    config.clientId,
  ]);
}

function eventsubKey(config: TwitchWorkerConfig | null): string | null {
  const broadcaster = config?.broadcaster;
  if (!config || !broadcaster) return null;
  return JSON.stringify([broadcaster.userId, [...broadcaster.scopes].sort(), config.eventsubUrl, config.clientId]);
}

/**
 * When chat is read as the bot, Twitch echoes the bot's own messages (sent on the egress worker's
 * connection) to this one. They are the bot's replies, already on their events: reading them back would
 * make new events, and a reply starting with "!" could loop.
 */
function withoutOwnMessages(connector: InboundConnector, botLogin: string): InboundConnector {
  const own = botLogin.toLowerCase();
  return {
    id: connector.id,
    health: (): ConnectorHealth => connector.health(),
    stop: () => connector.stop(),
    start: (sink: IngressSink) =>
      connector.start({
        ready: () => sink.ready(),
        accept(event, raw) {
          const item = event as { type?: unknown; identity?: { external?: { login?: unknown } } } | null;
          const login = item?.identity?.external?.login;
          if (item?.type === KnownEventTypes.chatMessage && typeof login === 'string' && login.toLowerCase() === own) {
            return { ok: false, error: 'the bot’s own message' };
          }
          return sink.accept(event, raw);
        },
      }),
  };
}

/** The connector with a note before its health detail (why it runs instead of another). */
function withHealthNote(connector: InboundConnector, note: string): InboundConnector {
  return {
    id: connector.id,
    start: (sink) => connector.start(sink),
    stop: () => connector.stop(),
    health: (): ConnectorHealth => {
      const health = connector.health();
      return { ...health, detail: health.detail ? `${note}; ${health.detail}` : note };
    },
  };
}
