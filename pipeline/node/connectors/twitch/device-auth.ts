/**
 * Twitch login with the OAuth Device Code Flow for a public client (no secret):
 * https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/#device-code-grant-flow
 * The app shows `userCode` and `verificationUri`; the user approves in any browser (Twitch blocks its
 * login page inside Electron, so no embedded popup).
 *
 * Why not @twurple/auth here: version 8.1.4 has no device-code helper, and its only way to reach a
 * host other than id.twitch.tv is the process-wide TWURPLE_MOCK_API_PORT variable (always
 * `http://localhost:PORT/auth/...`). Its RefreshingAuthProvider also refreshes concurrently when asked
 * concurrently, and a public client's refresh token is single-use, so the second refresh would fail
 * and lock the account out. These few HTTP calls are therefore done here, with an injectable base URL.
 */
import type { StoredTwitchToken, TwitchTokenStore } from './token-store.js';

export const TWITCH_OAUTH_BASE = 'https://id.twitch.tv/oauth2';

export interface DeviceAuthOptions {
  clientId: string;
  /** Defaults to Twitch; tests point it at a local server. */
  baseUrl?: string;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  expiresAt: number;
  intervalMs: number;
}

export class TwitchAuthError extends Error {
  constructor(
    readonly code: 'needs-login' | 'expired' | 'denied' | 'http' | 'bad-response',
    message: string,
  ) {
    super(message);
    this.name = 'TwitchAuthError';
  }
}

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string[];
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('login cancelled'));
    });
  });
}

async function post(options: DeviceAuthOptions, path: string, form: Record<string, string>) {
  const doFetch = options.fetch ?? fetch;
  const response = await doFetch(`${options.baseUrl ?? TWITCH_OAUTH_BASE}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return { status: response.status, body: (body ?? {}) as Record<string, unknown> };
}

function toStored(body: Record<string, unknown>, now: number): StoredTwitchToken {
  const data = body as Partial<TokenResponse>;
  if (typeof data.access_token !== 'string' || data.access_token === '') {
    throw new TwitchAuthError('bad-response', 'token response without access_token');
  }
  return {
    accessToken: data.access_token,
    refreshToken: typeof data.refresh_token === 'string' ? data.refresh_token : null,
    scopes: Array.isArray(data.scope) ? data.scope.filter((s): s is string => typeof s === 'string') : [],
    expiresAt: typeof data.expires_in === 'number' ? now + data.expires_in * 1000 : null,
  };
}

/** Step 1: ask Twitch for a device code for these scopes. */
export async function requestDeviceCode(options: DeviceAuthOptions, scopes: string[]): Promise<DeviceCode> {
  const now = (options.now ?? Date.now)();
  const { status, body } = await post(options, 'device', { client_id: options.clientId, scopes: scopes.join(' ') });
  if (status !== 200 || typeof body['device_code'] !== 'string' || typeof body['user_code'] !== 'string') {
    throw new TwitchAuthError('http', `device code request failed (${status}): ${String(body['message'] ?? '')}`);
  }
  return {
    deviceCode: body['device_code'],
    userCode: body['user_code'],
    verificationUri: String(body['verification_uri'] ?? 'https://www.twitch.tv/activate'),
    expiresAt: now + Number(body['expires_in'] ?? 1800) * 1000,
    intervalMs: Math.max(1, Number(body['interval'] ?? 5)) * 1000,
  };
}

/** Step 2: poll until the user approved (or denied, or the code expired). */
export async function pollDeviceToken(
  options: DeviceAuthOptions,
  code: DeviceCode,
  scopes: string[],
  signal?: AbortSignal,
): Promise<StoredTwitchToken> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  let interval = code.intervalMs;
  for (;;) {
    if (now() > code.expiresAt) throw new TwitchAuthError('expired', 'the device code expired; start the login again');
    const { status, body } = await post(options, 'token', {
      client_id: options.clientId,
      scopes: scopes.join(' '),
      device_code: code.deviceCode,
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    });
    if (status === 200) return toStored(body, now());
    const message = String(body['message'] ?? '');
    if (message === 'authorization_pending') {
      await sleep(interval, signal);
    } else if (message === 'slow_down') {
      interval += 5000;
      await sleep(interval, signal);
    } else if (/expired/i.test(message)) {
      throw new TwitchAuthError('expired', 'the device code expired; start the login again');
    } else {
      throw new TwitchAuthError('denied', `login not completed (${status}): ${message || 'unknown error'}`);
    }
  }
}

export type AccountAuthState = 'linked' | 'needs-login' | 'absent';

/**
 * One linked account's token: refreshed ahead of expiry, one refresh in flight at a time (callers
 * during a refresh share it), persisted encrypted after each refresh. A refresh token Twitch no longer
 * accepts marks the account `needs-login`; the app keeps running read-only until the user logs in again.
 */
export class TwitchTokenManager {
  private refreshing: Promise<StoredTwitchToken> | null = null;
  private stateValue: AccountAuthState;
  /** How many refreshes actually went to Twitch (for health and tests). */
  refreshCount = 0;

  constructor(
    private readonly account: string,
    private readonly store: Pick<TwitchTokenStore, 'get' | 'set'>,
    private readonly options: DeviceAuthOptions & { refreshMarginMs?: number },
  ) {
    this.stateValue = store.get(account) ? 'linked' : 'absent';
  }

  get state(): AccountAuthState {
    return this.stateValue;
  }

  /** Stores a token obtained by the device flow. */
  link(token: StoredTwitchToken): void {
    this.store.set(this.account, token);
    this.stateValue = 'linked';
  }

  /** A valid access token, refreshed first when it expires within the margin. */
  async accessToken(): Promise<string> {
    const token = this.store.get(this.account);
    if (!token || this.stateValue === 'needs-login') {
      throw new TwitchAuthError('needs-login', `the ${this.account} account needs to log in to Twitch`);
    }
    const now = (this.options.now ?? Date.now)();
    const margin = this.options.refreshMarginMs ?? 60_000;
    if (token.expiresAt !== null && token.expiresAt - now > margin) return token.accessToken;
    if (token.expiresAt === null) return token.accessToken;
    return (await this.refresh()).accessToken;
  }

  /** Refreshes now (e.g. after a 401). Concurrent callers share one request to Twitch. */
  refresh(): Promise<StoredTwitchToken> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<StoredTwitchToken> {
    const current = this.store.get(this.account);
    if (!current?.refreshToken) {
      this.stateValue = 'needs-login';
      throw new TwitchAuthError('needs-login', `the ${this.account} account has no refresh token; log in again`);
    }
    this.refreshCount += 1;
    const { status, body } = await post(this.options, 'token', {
      client_id: this.options.clientId,
      grant_type: 'refresh_token',
      refresh_token: current.refreshToken,
    });
    if (status === 400 || status === 401) {
      // Revoked, expired (public-client refresh tokens live 30 days) or already used: only a new login helps.
      this.stateValue = 'needs-login';
      throw new TwitchAuthError(
        'needs-login',
        `Twitch refused the refresh token: ${String(body['message'] ?? status)}`,
      );
    }
    if (status !== 200) throw new TwitchAuthError('http', `token refresh failed (${status}); will retry`);
    const next = { ...toStored(body, (this.options.now ?? Date.now)()), login: current.login, userId: current.userId };
    if (next.refreshToken === null) next.refreshToken = current.refreshToken;
    this.store.set(this.account, next);
    return next;
  }
}
