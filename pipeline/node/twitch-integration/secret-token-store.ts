/**
 * The Twitch tokens as `TwitchTokenManager` reads them (synchronously), kept in memory and written
 * through to the host's `SecretStore` (which may be async: Electron's safeStorage is). Writes are
 * queued in order; `flush()` waits for them (at stop, and in tests).
 */
import type { StoredTwitchToken, TwitchTokenStore } from '../connectors/twitch/token-store.js';
import { SECRET_NAMES, type SecretStore } from './secret-store.js';

export class SecretTokenStore implements Pick<TwitchTokenStore, 'get' | 'set'> {
  private readonly tokens = new Map<string, StoredTwitchToken>();
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly secrets: SecretStore,
    private readonly onError: (error: unknown) => void,
  ) {}

  static async open(
    secrets: SecretStore,
    accounts: readonly string[],
    onError: (error: unknown) => void,
  ): Promise<SecretTokenStore> {
    const store = new SecretTokenStore(secrets, onError);
    for (const account of accounts) {
      let raw: string | null = null;
      try {
        raw = await secrets.get(SECRET_NAMES.twitchToken(account));
      } catch (error) {
        // An unreadable store (wrong key, corrupt file) costs the login, not the app: the account shows "none".
        onError(error);
      }
      const token = raw === null ? null : parseToken(raw);
      if (token) store.tokens.set(account, token);
    }
    return store;
  }

  get(account: string): StoredTwitchToken | null {
    return this.tokens.get(account) ?? null;
  }

  set(account: string, token: StoredTwitchToken | null): void {
    if (token) this.tokens.set(account, token);
    else this.tokens.delete(account);
    const name = SECRET_NAMES.twitchToken(account);
    if (token) this.secrets.announce?.(name, JSON.stringify(token));
    this.writes = this.writes
      .then(() => (token ? this.secrets.set(name, JSON.stringify(token)) : this.secrets.delete(name)))
      .then(
        () => undefined,
        (error: unknown) => this.onError(error),
      );
  }

  flush(): Promise<void> {
    return this.writes;
  }
}

/** A stored token that does not parse is treated as absent (the account shows "none"), never a crash. */
function parseToken(raw: string): StoredTwitchToken | null {
  try {
    const value = JSON.parse(raw) as Partial<StoredTwitchToken>;
    if (typeof value.accessToken !== 'string' || value.accessToken === '') return null;
    return {
      accessToken: value.accessToken,
      refreshToken: typeof value.refreshToken === 'string' ? value.refreshToken : null,
      scopes: Array.isArray(value.scopes) ? value.scopes.filter((s): s is string => typeof s === 'string') : [],
      expiresAt: typeof value.expiresAt === 'number' ? value.expiresAt : null,
      ...(typeof value.login === 'string' ? { login: value.login } : {}),
      ...(typeof value.userId === 'string' ? { userId: value.userId } : {}),
    };
  } catch {
    return null;
  }
}
