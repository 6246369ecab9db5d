/**
 * The ingress worker's Twitch connectors, driven by what the host pushes on the control line:
 * - chat (tmi.js) whenever a channel is set: as the bot when one is linked, else anonymous read-only;
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
    this.chat = await this.reconcile(this.chat, TWITCH_CHAT_CONNECTOR, chatKey(config), config?.bot ?? null, () =>
      this.createChat(config!),
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

  private createChat(config: TwitchWorkerConfig): InboundConnector {
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
    return bot ? withoutOwnMessages(chat, bot.login) : chat;
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
function withoutOwnMessages(connector: TwitchChatConnector, botLogin: string): InboundConnector {
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
          if (item?.type === 'chat.message.v1' && typeof login === 'string' && login.toLowerCase() === own) {
            return { ok: false, error: 'the bot’s own message' };
          }
          return sink.accept(event, raw);
        },
      }),
  };
}
