/**
 * A twurple `AuthProvider` backed by our own token manager (device-auth.ts), for the `ApiClient` that the
 * EventSub listener uses to create its subscriptions.
 *
 * Why not twurple's RefreshingAuthProvider: it can refresh twice when asked twice at once, and a public
 * client's refresh token is single-use, so the second refresh would lock the account out. Our
 * TwitchTokenManager keeps one refresh in flight and persists the result encrypted.
 */
import type { AccessTokenMaybeWithUserId, AccessTokenWithUserId, AuthProvider } from '@twurple/auth';
import type { UserIdResolvable } from '@twurple/api';

/** The two things we need from TwitchTokenManager (a narrow Pick so tests can pass a real one or a stub). */
export interface HelixTokenSource {
  accessToken(): Promise<string>;
  refresh(): Promise<{ accessToken: string; scopes?: string[] }>;
}

export interface TokenAuthProviderOptions {
  clientId: string;
  /** The Twitch user id the token belongs to. */
  userId: string;
  /** The scopes the user granted (as Twitch reported them at login). */
  scopes: readonly string[];
  tokens: HelixTokenSource;
  now?: () => number;
}

export class MissingScopeError extends Error {
  constructor(readonly needed: string[]) {
    super(`the linked Twitch account did not grant ${needed.join(' or ')}; log in again with that scope`);
    this.name = 'MissingScopeError';
  }
}

function idOf(user: UserIdResolvable): string {
  return typeof user === 'string' ? user : typeof user === 'number' ? String(user) : user.id;
}

export function createTokenAuthProvider(options: TokenAuthProviderOptions): AuthProvider {
  const now = options.now ?? Date.now;
  let scopes = [...options.scopes];
  // expiresIn null: twurple never judges expiry itself; the token manager refreshes ahead of it, and
  // twurple calls refreshAccessTokenForUser after a 401.
  const wrap = (accessToken: string): AccessTokenWithUserId => ({
    accessToken,
    refreshToken: null,
    scope: scopes,
    expiresIn: null,
    obtainmentTimestamp: now(),
    userId: options.userId,
  });
  const checkScopes = (scopeSets: Array<string[] | undefined>) => {
    for (const set of scopeSets) {
      if (set && set.length > 0 && !set.some((scope) => scopes.includes(scope))) throw new MissingScopeError(set);
    }
  };
  return {
    clientId: options.clientId,
    getCurrentScopesForUser: () => scopes,
    async getAccessTokenForUser(user, ...scopeSets) {
      if (idOf(user) !== options.userId) return null;
      checkScopes(scopeSets);
      return wrap(await options.tokens.accessToken());
    },
    async getAnyAccessToken(): Promise<AccessTokenMaybeWithUserId> {
      return wrap(await options.tokens.accessToken());
    },
    async refreshAccessTokenForUser(user) {
      if (idOf(user) !== options.userId) throw new Error(`no token for Twitch user ${idOf(user)}`);
      const next = await options.tokens.refresh();
      if (next.scopes && next.scopes.length > 0) scopes = [...next.scopes];
      return wrap(next.accessToken);
    },
  };
}
