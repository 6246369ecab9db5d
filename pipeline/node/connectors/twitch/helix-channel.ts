/**
 * What the chat features read from and do on Twitch with the linked broadcaster's token:
 * the channel's category and title (GET /helix/channels, https://dev.twitch.tv/docs/api/reference/#get-channel-information),
 * a viewer's follow date (GET /helix/channels/followers, needs `moderator:read:followers`),
 * a user by login (GET /helix/users), and Send Shoutout (POST /helix/chat/shoutouts, needs
 * `moderator:manage:shoutouts`).
 *
 * Answers are cached briefly (a minute by default): `{game}` in a busy chat's commands must not cost a
 * Helix request per message, and a category change still shows within the minute. Failures are not
 * cached, so the next use asks again.
 *
 * Plain fetch, for the reasons helix-moderation.ts gives (twurple reaches a local test server only
 * through a process-wide variable, and its limiter waits silently on 429).
 */
import { z } from 'zod';
import { describeIssues } from '../../../core/envelope.js';
import { TWITCH_HELIX_BASE } from './helix-moderation.js';
import { FEATURE_SCOPES } from './scopes.js';

export interface HelixChannelDeps {
  clientId: string;
  /** The linked broadcaster: whose channel it is, and whose token asks. */
  broadcasterId: string;
  token: () => string;
  /** The scopes of that token, when known: a follow check without the followers scope is refused, not answered "not following". */
  scopes?: () => readonly string[];
  baseUrl?: string;
  fetch?: typeof fetch;
  now?: () => number;
  cacheMs?: number;
  timeoutMs?: number;
}

export interface ChannelDetails {
  login: string;
  name: string;
  game: string | null;
  title: string | null;
}

export interface TwitchUser {
  id: string;
  login: string;
  displayName: string;
}

export type ShoutoutResult = { ok: true } | { ok: false; error: string };

export interface HelixChannel {
  /** Category and title of a channel (the broadcaster's own by default). */
  channel(broadcasterId?: string): Promise<ChannelDetails>;
  /** When the user followed the broadcaster; null: not following. */
  followedAt(userId: string): Promise<number | null>;
  /** The user with this login; null: no such user. */
  userByLogin(login: string): Promise<TwitchUser | null>;
  shoutout(toBroadcasterId: string): Promise<ShoutoutResult>;
}

export class HelixError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HelixError';
  }
}

const ChannelsSchema = z.object({
  data: z.array(
    z.object({
      broadcaster_id: z.string().max(40),
      broadcaster_login: z.string().max(100),
      broadcaster_name: z.string().max(100),
      game_name: z.string().max(200),
      title: z.string().max(500),
    }),
  ),
});
const FollowersSchema = z.object({
  data: z.array(z.object({ user_id: z.string().max(40), followed_at: z.string().max(40) })),
});
const UsersSchema = z.object({
  data: z.array(z.object({ id: z.string().max(40), login: z.string().max(100), display_name: z.string().max(100) })),
});

const USER_ID = /^\d{1,20}$/;
const LOGIN = /^[A-Za-z0-9_]{1,25}$/;
const CACHE_LIMIT = 1000;

/** Why follows cannot be checked with a token of these scopes, or undefined when they can (or the scopes are not known). */
export function missingFollowScope(scopes: readonly string[] | undefined): string | undefined {
  const needed = FEATURE_SCOPES.followers.filter((scope) => scopes && !scopes.includes(scope));
  return needed.length > 0
    ? `the broadcaster's login lacks ${needed.join(', ')}: log in again in Connections → Twitch`
    : undefined;
}

export function createHelixChannel(deps: HelixChannelDeps): HelixChannel {
  const now = deps.now ?? Date.now;
  const cacheMs = deps.cacheMs ?? 60_000;
  const base = (deps.baseUrl ?? TWITCH_HELIX_BASE).replace(/\/$/, '');
  const cache = new Map<string, { at: number; value: unknown }>();

  async function request(method: 'GET' | 'POST', path: string): Promise<{ status: number; body: unknown }> {
    let response: Response;
    try {
      response = await (deps.fetch ?? fetch)(`${base}/${path}`, {
        method,
        headers: { 'client-id': deps.clientId, authorization: `Bearer ${deps.token()}` },
        signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new HelixError(`could not reach Twitch: ${error instanceof Error ? error.message : String(error)}`);
    }
    const text = await response.text().catch(() => '');
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // A proxy's page: the status says enough.
    }
    if (!response.ok) {
      const said = (body as { message?: unknown } | undefined)?.message;
      throw new HelixError(
        `Twitch answered ${response.status}${typeof said === 'string' && said ? `: ${said.slice(0, 200)}` : ''}`,
        response.status,
      );
    }
    return { status: response.status, body };
  }

  async function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = cache.get(key);
    if (hit && now() - hit.at < cacheMs) return hit.value as T;
    const value = await load();
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, { at: now(), value });
    return value;
  }

  function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new HelixError(`unexpected ${what} answer: ${describeIssues(parsed.error)}`);
    return parsed.data;
  }

  return {
    channel(broadcasterId = deps.broadcasterId) {
      if (!USER_ID.test(broadcasterId)) return Promise.reject(new HelixError(`not a Twitch user id: ${broadcasterId}`));
      return cached(`channel:${broadcasterId}`, async () => {
        const { body } = await request('GET', `channels?broadcaster_id=${broadcasterId}`);
        const channel = parse(ChannelsSchema, body, 'Get Channel Information').data[0];
        if (!channel) throw new HelixError(`Twitch knows no channel ${broadcasterId}`);
        return {
          login: channel.broadcaster_login,
          name: channel.broadcaster_name,
          game: channel.game_name || null,
          title: channel.title || null,
        };
      });
    },
    followedAt(userId) {
      if (!USER_ID.test(userId)) return Promise.reject(new HelixError(`not a Twitch user id: ${userId}`));
      const missing = missingFollowScope(deps.scopes?.());
      if (missing) return Promise.reject(new HelixError(missing));
      return cached(`follow:${userId}`, async () => {
        const { body } = await request(
          'GET',
          `channels/followers?broadcaster_id=${deps.broadcasterId}&user_id=${userId}`,
        );
        const follow = parse(FollowersSchema, body, 'Get Channel Followers').data.find(
          (entry) => entry.user_id === userId,
        );
        if (!follow) return null;
        const at = Date.parse(follow.followed_at);
        if (!Number.isFinite(at)) throw new HelixError(`unexpected followed_at: ${follow.followed_at.slice(0, 40)}`);
        return at;
      });
    },
    userByLogin(login) {
      if (!LOGIN.test(login)) return Promise.resolve(null);
      return cached(`user:${login.toLowerCase()}`, async () => {
        const { body } = await request('GET', `users?login=${encodeURIComponent(login.toLowerCase())}`);
        const user = parse(UsersSchema, body, 'Get Users').data.find(
          (entry) => entry.login.toLowerCase() === login.toLowerCase(),
        );
        return user ? { id: user.id, login: user.login, displayName: user.display_name } : null;
      });
    },
    async shoutout(toBroadcasterId) {
      if (!USER_ID.test(toBroadcasterId)) return { ok: false, error: `not a Twitch user id: ${toBroadcasterId}` };
      const id = deps.broadcasterId;
      try {
        await request(
          'POST',
          `chat/shoutouts?from_broadcaster_id=${id}&to_broadcaster_id=${toBroadcasterId}&moderator_id=${id}`,
        );
        return { ok: true };
      } catch (error) {
        return { ok: false, error: shoutoutRefusal(error) };
      }
    },
  };
}

/** Send Shoutout's refusals in words for the slip. */
function shoutoutRefusal(error: unknown): string {
  if (!(error instanceof HelixError)) return String(error);
  switch (error.status) {
    case 401:
      return `the broadcaster's token cannot send shoutouts (log in again to grant moderator:manage:shoutouts): ${error.message}`;
    case 429:
      return `Twitch's shoutout cooldown is running (2 minutes between shoutouts, 1 hour per streamer): ${error.message}`;
    default:
      return error.message;
  }
}
