/**
 * Where the Twitch services are. Defaults are Twitch's own; each can be overridden (environment or
 * the host's options) so tests and development point the real clients at local servers.
 *
 * EventSub subscriptions are created by @twurple/api, which 8.1.4 lets reach another host only through
 * the process-wide TWURPLE_MOCK_API_PORT variable; tests set that in their own process (worker threads
 * inherit it) — production code never does.
 */
import { TWITCH_OAUTH_BASE } from '../connectors/twitch/device-auth.js';
import { TWITCH_HELIX_BASE } from '../connectors/twitch/helix-moderation.js';

export interface TwitchEndpoints {
  /** OAuth: device code, token, validate (`…/oauth2`). */
  authUrl: string;
  /** Helix REST API (`…/helix`): moderation. */
  helixUrl: string;
  /** Chat: IRC over WebSocket. */
  irc: { host: string; port: number; secure: boolean };
  /** EventSub WebSocket; null is twurple's default. */
  eventsubUrl: string | null;
}

export const TWITCH_ENDPOINTS: TwitchEndpoints = {
  authUrl: TWITCH_OAUTH_BASE,
  helixUrl: TWITCH_HELIX_BASE,
  irc: { host: 'irc-ws.chat.twitch.tv', port: 443, secure: true },
  eventsubUrl: null,
};

/** The environment variables that override each endpoint. */
export const TWITCH_ENDPOINT_ENV = {
  authUrl: 'BITBRAT_TWITCH_AUTH_URL',
  helixUrl: 'BITBRAT_TWITCH_HELIX_URL',
  irc: 'BITBRAT_TWITCH_IRC_URL',
  eventsubUrl: 'BITBRAT_TWITCH_EVENTSUB_URL',
} as const;

/** Client id override (otherwise the `twitchClientId` setting). */
export const TWITCH_CLIENT_ID_ENV = 'BITBRAT_TWITCH_CLIENT_ID';

/** `ws://host:port` or `wss://host[:port]` → tmi.js's server options. Throws a clear error otherwise. */
export function parseIrcUrl(value: string): TwitchEndpoints['irc'] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${TWITCH_ENDPOINT_ENV.irc} must be a ws:// or wss:// URL, got "${value.slice(0, 100)}"`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new Error(`${TWITCH_ENDPOINT_ENV.irc} must be a ws:// or wss:// URL, got "${value.slice(0, 100)}"`);
  }
  const secure = url.protocol === 'wss:';
  return { host: url.hostname, port: url.port ? Number(url.port) : secure ? 443 : 80, secure };
}

export function twitchEndpointsFromEnv(
  env: NodeJS.ProcessEnv,
  overrides: Partial<TwitchEndpoints> = {},
): TwitchEndpoints {
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const ircUrl = read(TWITCH_ENDPOINT_ENV.irc);
  return {
    authUrl: (overrides.authUrl ?? read(TWITCH_ENDPOINT_ENV.authUrl) ?? TWITCH_ENDPOINTS.authUrl).replace(/\/$/, ''),
    helixUrl: (overrides.helixUrl ?? read(TWITCH_ENDPOINT_ENV.helixUrl) ?? TWITCH_ENDPOINTS.helixUrl).replace(
      /\/$/,
      '',
    ),
    irc: overrides.irc ?? (ircUrl ? parseIrcUrl(ircUrl) : TWITCH_ENDPOINTS.irc),
    eventsubUrl:
      overrides.eventsubUrl !== undefined
        ? overrides.eventsubUrl
        : (read(TWITCH_ENDPOINT_ENV.eventsubUrl) ?? TWITCH_ENDPOINTS.eventsubUrl),
  };
}
