/**
 * The host's side of Twitch: the linked accounts (broadcaster, bot), their login (Device Code Flow,
 * polled in the background), their tokens (refreshed ahead of expiry, one refresh at a time, stored
 * through the host's SecretStore), what the ingress and egress workers are told (channel, accounts,
 * current access tokens — in memory only), and moderator actions through Helix.
 *
 * A refresh token Twitch no longer accepts marks the account `needs-login`: the workers are told the
 * account is gone (chat falls back to anonymous read-only, the bot's replies SKIP), health says so, and
 * the rest of the app keeps running.
 */
import type { SaveResult, Settings } from '../../core/host-api.js';
import type { ConnectorHealth } from '../../core/protocol/pipeline.js';
import {
  TWITCH_ACCOUNTS,
  type TwitchAccountName,
  type TwitchAccountStatus,
  type TwitchDeviceLogin,
  type TwitchWorkerAccount,
  type TwitchWorkerConfig,
} from '../../core/protocol/twitch.js';
import {
  pollDeviceToken,
  requestDeviceCode,
  TwitchAuthError,
  TwitchTokenManager,
  type DeviceAuthOptions,
  type DeviceCode,
} from '../connectors/twitch/device-auth.js';
import type { HelixTokenSource } from '../connectors/twitch/helix-auth-provider.js';
import { createHelixModeration, type ModerationResult } from '../connectors/twitch/helix-moderation.js';
import { BOT_SCOPES, BROADCASTER_SCOPES, FEATURE_SCOPES, resolveChatTransport } from '../connectors/twitch/scopes.js';
import type { StoredTwitchToken } from '../connectors/twitch/token-store.js';
import type { TwitchEndpoints } from './endpoints.js';
import type { SecretStore } from './secret-store.js';
import { SecretTokenStore } from './secret-token-store.js';

type Log = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface TwitchIntegrationOptions {
  secrets: SecretStore;
  settings(): Settings;
  endpoints: TwitchEndpoints;
  /** BITBRAT_TWITCH_CLIENT_ID: wins over the `twitchClientId` setting when set. */
  clientIdOverride?: string;
  /** false: the workers are never told to connect (replay must not talk to a real channel). */
  enabled: boolean;
  /** Tells the ingress and egress workers (both, or the one that restarted). */
  publish(config: TwitchWorkerConfig | null): Promise<void>;
  log: Log;
  fetch?: typeof fetch;
  now?: () => number;
  /** Refresh this long before the access token expires (default 5 minutes). */
  refreshMarginMs?: number;
  /** Never schedule refreshes closer than this (a server answering `expires_in: 0` cannot spin us). */
  minRefreshDelayMs?: number;
}

export const NO_CLIENT_ID =
  'No Twitch client id: register an application at https://dev.twitch.tv/console/apps (client type "Public", ' +
  'no secret), then paste its client id into the Twitch client id setting.';

/** After a refresh, a worker's "token refused" is not acted on again for this long (no refresh loops). */
const TOKEN_REQUEST_COOLDOWN_MS = 30_000;
const RETRY_AFTER_ERROR_MS = 30_000;

interface PendingLogin {
  code: DeviceCode;
  controller: AbortController;
  done: Promise<void>;
}

export interface ModerationAnswer {
  ok: boolean;
  message: string;
  result?: ModerationResult;
}

export class TwitchIntegration {
  private readonly managers = new Map<TwitchAccountName, TwitchTokenManager>();
  private readonly pending = new Map<TwitchAccountName, PendingLogin>();
  private readonly errors = new Map<TwitchAccountName, string>();
  private readonly timers = new Map<TwitchAccountName, NodeJS.Timeout>();
  private readonly lastRefreshAt = new Map<TwitchAccountName, number>();
  private publishing: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly now: () => number;

  private constructor(
    private readonly options: TwitchIntegrationOptions,
    private readonly tokens: SecretTokenStore,
  ) {
    this.now = options.now ?? Date.now;
    for (const account of TWITCH_ACCOUNTS) {
      const token = tokens.get(account);
      if (token) this.managers.set(account, new TwitchTokenManager(account, tokens, this.authOptions()));
    }
  }

  static async open(options: TwitchIntegrationOptions): Promise<TwitchIntegration> {
    const tokens = await SecretTokenStore.open(options.secrets, TWITCH_ACCOUNTS, (error) =>
      options.log('error', 'the secret store failed for a Twitch token', { error: String(error) }),
    );
    return new TwitchIntegration(options, tokens);
  }

  clientId(): string {
    return (this.options.clientIdOverride ?? '').trim() || this.options.settings().twitchClientId;
  }

  /** Refreshes what is about to expire, then tells the workers. */
  async start(): Promise<void> {
    for (const account of TWITCH_ACCOUNTS) {
      const token = this.tokens.get(account);
      if (!token) continue;
      if (token.expiresAt !== null && token.expiresAt - this.margin() <= this.now()) await this.refresh(account, false);
      else this.schedule(account);
    }
    await this.republish();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const pending of this.pending.values()) pending.controller.abort();
    this.pending.clear();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.tokens.flush();
  }

  /** What the ingress and egress workers should run with now; null when Twitch is off (replay). */
  workerConfig(): TwitchWorkerConfig | null {
    if (!this.options.enabled) return null;
    const { endpoints } = this.options;
    const settings = this.options.settings();
    const bot = this.workerAccount('bot');
    return {
      channel: normalizeChannel(settings.channel),
      clientId: this.clientId(),
      irc: endpoints.irc,
      eventsubUrl: endpoints.eventsubUrl,
      helixUrl: endpoints.helixUrl,
      chatTransport: resolveChatTransport(settings.twitchChatTransport, bot?.scopes ?? null),
      bot,
      broadcaster: this.workerAccount('broadcaster'),
    };
  }

  /** Tells the workers the current config (serialized, so an older config never overtakes a newer one). */
  republish(): Promise<void> {
    const next = this.publishing.then(() => this.options.publish(this.workerConfig()));
    this.publishing = next.catch((error: unknown) =>
      this.options.log('warn', 'could not update the Twitch connections', { error: String(error) }),
    );
    return this.publishing;
  }

  // ------------------------------------------------------------------ login

  async loginStart(account: TwitchAccountName): Promise<SaveResult<TwitchDeviceLogin>> {
    const clientId = this.clientId();
    if (!clientId) return { ok: false, error: NO_CLIENT_ID };
    this.cancelLogin(account);
    const scopes = [...(account === 'bot' ? BOT_SCOPES : BROADCASTER_SCOPES)];
    const auth = this.authOptions(clientId);
    let code: DeviceCode;
    try {
      code = await requestDeviceCode(auth, scopes);
    } catch (error) {
      return { ok: false, error: `Twitch did not start the login: ${messageOf(error)}` };
    }
    const controller = new AbortController();
    const done = pollDeviceToken(auth, code, scopes, controller.signal)
      .then((token) => this.completeLogin(account, token, clientId, controller))
      .catch((error: unknown) => {
        if (controller.signal.aborted || this.stopped) return;
        this.errors.set(account, `login failed: ${messageOf(error)}`);
        this.options.log('warn', `Twitch ${account} login did not complete`, { error: messageOf(error) });
      })
      .finally(() => {
        if (this.pending.get(account)?.controller === controller) this.pending.delete(account);
      });
    this.pending.set(account, { code, controller, done });
    this.errors.delete(account);
    return {
      ok: true,
      value: { userCode: code.userCode, verificationUri: code.verificationUri, expiresAt: code.expiresAt },
    };
  }

  /** Resolves when the account's login in progress ended (linked, failed, expired or cancelled). */
  loginSettled(account: TwitchAccountName): Promise<void> {
    return this.pending.get(account)?.done ?? Promise.resolve();
  }

  async logout(account: TwitchAccountName): Promise<{ ok: boolean }> {
    this.cancelLogin(account);
    clearTimeout(this.timers.get(account));
    this.timers.delete(account);
    const token = this.tokens.get(account);
    const had = Boolean(token) || this.managers.has(account);
    this.managers.delete(account);
    this.errors.delete(account);
    this.tokens.set(account, null);
    await this.tokens.flush();
    await this.republish();
    if (token) void this.revoke(token);
    this.options.log('info', `Twitch ${account} account logged out`);
    return { ok: had };
  }

  accounts(): TwitchAccountStatus[] {
    return TWITCH_ACCOUNTS.map((account) => {
      const pending = this.pending.get(account);
      const manager = this.managers.get(account);
      const token = this.tokens.get(account);
      const state: TwitchAccountStatus['state'] = pending
        ? 'pending'
        : !manager || !token || manager.state === 'absent'
          ? 'none'
          : manager.state;
      return {
        account,
        state,
        login: token?.login ?? null,
        userId: token?.userId ?? null,
        scopes: token?.scopes ?? [],
        pending: pending
          ? {
              userCode: pending.code.userCode,
              verificationUri: pending.code.verificationUri,
              expiresAt: pending.code.expiresAt,
            }
          : null,
        error: this.errors.get(account) ?? null,
      };
    });
  }

  /** Accounts that need the streamer, as connector health (the console's connection list shows them). */
  health(): ConnectorHealth[] {
    return TWITCH_ACCOUNTS.filter((account) => this.managers.get(account)?.state === 'needs-login').map((account) => ({
      id: `twitch-login:${account}`,
      state: 'failed' as const,
      lastEventAt: null,
      detail:
        `the ${account} account needs to log in to Twitch again` +
        (account === 'bot' ? '; chat is read-only until then' : '; channel events (EventSub) are off until then') +
        (this.errors.get(account) ? ` (${this.errors.get(account)})` : ''),
    }));
  }

  // ------------------------------------------------------------------ tokens

  /**
   * Refreshes the account's access token now and tells the workers. Returns false when it failed;
   * a dead refresh token leaves the account `needs-login` (and the workers without it).
   */
  async refresh(account: TwitchAccountName, publish = true): Promise<boolean> {
    const manager = this.managers.get(account);
    if (!manager || manager.state !== 'linked' || this.stopped) return false;
    this.lastRefreshAt.set(account, this.now());
    try {
      await manager.refresh();
      this.errors.delete(account);
      this.schedule(account);
      if (publish) await this.republish();
      return true;
    } catch (error) {
      this.errors.set(account, messageOf(error));
      // The failed refresh may have changed the state (TypeScript still narrows it to 'linked').
      const state: string = manager.state;
      if (state === 'needs-login') {
        clearTimeout(this.timers.get(account));
        this.timers.delete(account);
        this.options.log('warn', `the Twitch ${account} account needs to log in again; continuing read-only`, {
          error: messageOf(error),
        });
        if (publish) await this.republish();
      } else {
        this.options.log('warn', `refreshing the Twitch ${account} token failed; retrying`, {
          error: messageOf(error),
        });
        this.schedule(account, RETRY_AFTER_ERROR_MS);
      }
      return false;
    }
  }

  /** A worker says Twitch refused the account's token: refresh once (not again within the cooldown). */
  onTokenRefused(request: { account: TwitchAccountName; reason: string }): void {
    const last = this.lastRefreshAt.get(request.account) ?? 0;
    if (this.now() - last < TOKEN_REQUEST_COOLDOWN_MS) {
      // Just refreshed: the workers may still hold the old token. Tell them again.
      void this.republish();
      return;
    }
    this.options.log('info', `Twitch refused the ${request.account} token; refreshing`, { reason: request.reason });
    void this.refresh(request.account);
  }

  // ------------------------------------------------------------------ moderation

  /** Timeout, ban or delete through Helix with the best linked account that has the scope. */
  async moderate(
    action:
      | { kind: 'timeout'; userId: string; seconds: number; reason?: string }
      | { kind: 'ban'; userId: string; reason?: string }
      | { kind: 'delete'; messageId: string },
  ): Promise<ModerationAnswer> {
    const scopes = action.kind === 'delete' ? FEATURE_SCOPES.moderationDelete : FEATURE_SCOPES.moderationBan;
    const actor = this.moderator(scopes);
    if (!actor.ok) return { ok: false, message: actor.message };
    const moderation = createHelixModeration({
      clientId: actor.clientId,
      broadcasterId: actor.broadcasterId,
      moderatorId: actor.moderatorId,
      tokens: this.tokenSource(actor.account),
      baseUrl: this.options.endpoints.helixUrl,
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      now: this.now,
    });
    const result =
      action.kind === 'timeout'
        ? await moderation.timeout(action.userId, action.seconds, action.reason)
        : action.kind === 'ban'
          ? await moderation.ban(action.userId, action.reason)
          : await moderation.deleteMessage(action.messageId);
    const what =
      action.kind === 'timeout'
        ? `timed out for ${action.seconds} s`
        : action.kind === 'ban'
          ? 'banned'
          : 'message deleted';
    return {
      ok: result.ok,
      message: result.ok ? `${what} (as ${actor.login})` : (result.error ?? 'Twitch refused'),
      result,
    };
  }

  private moderator(scopes: readonly string[]):
    | {
        ok: true;
        account: TwitchAccountName;
        login: string;
        clientId: string;
        broadcasterId: string;
        moderatorId: string;
      }
    | { ok: false; message: string } {
    const broadcaster = this.usable('broadcaster');
    const bot = this.usable('bot');
    const allows = (token: StoredTwitchToken | null) => Boolean(token && scopes.some((s) => token.scopes.includes(s)));
    if (broadcaster && allows(broadcaster)) {
      return {
        ok: true,
        account: 'broadcaster',
        login: broadcaster.login!,
        clientId: this.clientId(),
        broadcasterId: broadcaster.userId!,
        moderatorId: broadcaster.userId!,
      };
    }
    // The bot moderates where it is a moderator; Helix needs the channel's id, which only the
    // broadcaster's login (or the bot being the broadcaster) tells us without another API call.
    const channel = normalizeChannel(this.options.settings().channel);
    const broadcasterId = broadcaster?.userId ?? (bot && bot.login === channel ? bot.userId : undefined);
    if (bot && allows(bot) && broadcasterId) {
      return {
        ok: true,
        account: 'bot',
        login: bot.login!,
        clientId: this.clientId(),
        broadcasterId,
        moderatorId: bot.userId!,
      };
    }
    return {
      ok: false,
      message: `Link the broadcaster account in Connections first (it needs ${scopes.join(' or ')}); time-outs, bans and deletions go through Twitch.`,
    };
  }

  /** A linked account with a known identity, or null (absent, pending, needs-login). */
  private usable(account: TwitchAccountName): StoredTwitchToken | null {
    const token = this.tokens.get(account);
    if (!token || this.managers.get(account)?.state !== 'linked' || !token.login || !token.userId) return null;
    return token;
  }

  private tokenSource(account: TwitchAccountName): HelixTokenSource {
    return {
      accessToken: () => {
        const manager = this.managers.get(account);
        if (!manager) return Promise.reject(new TwitchAuthError('needs-login', `the ${account} account is not linked`));
        return manager.accessToken();
      },
      refresh: async () => {
        if (!(await this.refresh(account))) {
          throw new TwitchAuthError(
            'needs-login',
            this.errors.get(account) ?? `the ${account} token cannot be renewed`,
          );
        }
        return this.tokens.get(account)!;
      },
    };
  }

  // ------------------------------------------------------------------ internals

  private margin(): number {
    return this.options.refreshMarginMs ?? 300_000;
  }

  private authOptions(clientId = this.clientId()): DeviceAuthOptions & { refreshMarginMs: number } {
    return {
      clientId,
      baseUrl: this.options.endpoints.authUrl,
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      now: this.now,
      refreshMarginMs: this.margin(),
    };
  }

  private workerAccount(account: TwitchAccountName): TwitchWorkerAccount | null {
    const token = this.usable(account);
    if (!token) return null;
    return { login: token.login!, userId: token.userId!, scopes: [...token.scopes], accessToken: token.accessToken };
  }

  private schedule(account: TwitchAccountName, delayMs?: number): void {
    clearTimeout(this.timers.get(account));
    this.timers.delete(account);
    const token = this.tokens.get(account);
    if (this.stopped || !token || token.expiresAt === null || this.managers.get(account)?.state !== 'linked') return;
    const due = delayMs ?? token.expiresAt - this.margin() - this.now();
    const delay = Math.min(2 ** 31 - 1, Math.max(this.options.minRefreshDelayMs ?? 10_000, due));
    const timer = setTimeout(() => void this.refresh(account), delay);
    timer.unref();
    this.timers.set(account, timer);
  }

  private cancelLogin(account: TwitchAccountName): void {
    const pending = this.pending.get(account);
    if (!pending) return;
    pending.controller.abort();
    this.pending.delete(account);
  }

  private async completeLogin(
    account: TwitchAccountName,
    token: StoredTwitchToken,
    clientId: string,
    controller: AbortController,
  ): Promise<void> {
    const auth = this.authOptions(clientId);
    // Who is this? Twitch's token response does not say; /oauth2/validate does (login, user id, scopes).
    const who = await validateToken(auth, token.accessToken);
    if (controller.signal.aborted || this.stopped) return;
    const linked: StoredTwitchToken = {
      ...token,
      login: who.login,
      userId: who.userId,
      scopes: who.scopes.length > 0 ? who.scopes : token.scopes,
    };
    const manager = new TwitchTokenManager(account, this.tokens, auth);
    manager.link(linked);
    this.managers.set(account, manager);
    this.errors.delete(account);
    this.pending.delete(account);
    this.schedule(account);
    this.options.log('info', `Twitch ${account} account linked as ${who.login}`, { scopes: linked.scopes });
    await this.tokens.flush();
    await this.republish();
  }

  private async revoke(token: StoredTwitchToken): Promise<void> {
    // Best effort: the token is already gone from here; Twitch forgets it too when this succeeds.
    try {
      const doFetch = this.options.fetch ?? fetch;
      await doFetch(`${this.options.endpoints.authUrl}/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: this.clientId(), token: token.accessToken }).toString(),
        signal: AbortSignal.timeout(5000),
      });
    } catch {
      // Offline: the token expires on its own.
    }
  }
}

/** GET /oauth2/validate: https://dev.twitch.tv/docs/authentication/validate-tokens/ */
export async function validateToken(
  auth: DeviceAuthOptions,
  accessToken: string,
): Promise<{ login: string; userId: string; scopes: string[] }> {
  const doFetch = auth.fetch ?? fetch;
  const response = await doFetch(`${auth.baseUrl}/validate`, {
    headers: { authorization: `OAuth ${accessToken}` },
    signal: AbortSignal.timeout(10_000),
  });
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // Checked below.
  }
  if (response.status !== 200 || typeof body['login'] !== 'string' || typeof body['user_id'] !== 'string') {
    throw new TwitchAuthError('bad-response', `Twitch did not validate the new token (${response.status})`);
  }
  const scopes = Array.isArray(body['scopes']) ? body['scopes'].filter((s): s is string => typeof s === 'string') : [];
  return { login: body['login'].toLowerCase(), userId: body['user_id'], scopes };
}

export function normalizeChannel(channel: string): string {
  return channel.trim().replace(/^#/, '').toLowerCase();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
