/**
 * A local server playing the Helix endpoints BitBrat calls: the console's moderator actions
 * (https://dev.twitch.tv/docs/api/reference/#ban-user, #delete-chat-messages):
 * POST /helix/moderation/bans (ban, or timeout with `duration`), DELETE /helix/moderation/chat; the bot's
 * chat out (#send-chat-message): POST /helix/chat/messages, answering `is_sent` and, when it drops a
 * message, `drop_reason {code, message}` with status 200 as Twitch does; GET /helix/users?login=; the chat
 * features' reads and shoutout (#get-channel-information, #get-channel-followers, #send-a-shoutout):
 * GET /helix/channels, GET /helix/channels/followers (only the total without the scope, as Twitch does),
 * POST /helix/chat/shoutouts (204; 429 for a repeat within Twitch's cooldown).
 * Like Twitch it answers 401 for an unknown/revoked token, 403 when the token's user is not the
 * moderator_id or lacks the scope, 429 with Ratelimit-Reset when the bucket is empty, 404 for a message
 * that is gone, 400 for a user already banned. Every response carries the Ratelimit-* headers.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TwitchHelixServer {
  readonly baseUrl: string;
  /** Access token → the user it belongs to and its scopes; tests add and revoke tokens. */
  readonly tokens: Map<string, { userId: string; scopes: string[] }>;
  /** Chat message ids that exist (deletable). */
  readonly messages: Set<string>;
  /** Bans and timeouts applied, in order. */
  readonly bans: Array<{ userId: string; duration: number | null; reason: string; moderatorId: string }>;
  readonly deleted: string[];
  /** Users GET /users knows. */
  readonly users: Array<{ id: string; login: string; display_name: string }>;
  /** Chat messages Twitch accepted (is_sent: true), in order. */
  readonly chatMessages: Array<{
    broadcasterId: string;
    senderId: string;
    message: string;
    replyParentId: string | null;
    messageId: string;
  }>;
  /** The next `count` chat messages are not sent: 200 with is_sent false and this drop reason. */
  dropNextChat(count: number, reason: { code: string; message: string }): void;
  /** Channels GET /channels knows, by broadcaster id. */
  readonly channels: Map<string, { login: string; name: string; game: string; title: string }>;
  /** Follows GET /channels/followers knows: broadcaster id → (user id → followed_at ISO). */
  readonly follows: Map<string, Map<string, string>>;
  /** Shoutouts Twitch accepted, in order. */
  readonly shoutouts: Array<{ from: string; to: string; moderatorId: string }>;
  /** Answer the next `count` requests with 429 (bucket empty, resets in `resetSeconds`). */
  rateLimitNext(count: number, resetSeconds?: number): void;
  readonly requests: number;
  close(): Promise<void>;
}

export async function startTwitchHelixServer(options: { clientId: string }): Promise<TwitchHelixServer> {
  const tokens = new Map<string, { userId: string; scopes: string[] }>();
  const messages = new Set<string>();
  const bans: TwitchHelixServer['bans'] = [];
  const deleted: string[] = [];
  const limit = { remaining429: 0, resetSeconds: 1 };
  const users: TwitchHelixServer['users'] = [];
  const chatMessages: TwitchHelixServer['chatMessages'] = [];
  const drops = { count: 0, reason: { code: '', message: '' } };
  const channels: TwitchHelixServer['channels'] = new Map();
  const follows: TwitchHelixServer['follows'] = new Map();
  const shoutouts: TwitchHelixServer['shoutouts'] = [];
  let requests = 0;

  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => {
      requests += 1;
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const limited = limit.remaining429 > 0;
      const reset = Math.ceil(Date.now() / 1000) + (limited ? limit.resetSeconds : 60);
      const reply = (status: number, body?: unknown) => {
        response.writeHead(status, {
          'content-type': 'application/json',
          'ratelimit-limit': '800',
          'ratelimit-remaining': limited ? '0' : '799',
          'ratelimit-reset': String(reset),
        });
        response.end(body === undefined ? '' : JSON.stringify(body));
      };
      const error = (status: number, name: string, message: string) => reply(status, { error: name, status, message });

      if (limited) {
        limit.remaining429 -= 1;
        return error(429, 'Too Many Requests', 'Too Many Requests');
      }
      if (request.headers['client-id'] !== options.clientId) return error(401, 'Unauthorized', 'Client ID invalid');
      const token = /^Bearer (.+)$/.exec(String(request.headers['authorization'] ?? ''))?.[1] ?? '';
      const owner = tokens.get(token);
      if (!owner) return error(401, 'Unauthorized', 'Invalid OAuth token');
      if (url.pathname === '/helix/users' && request.method === 'GET') {
        const logins = url.searchParams.getAll('login').map((login) => login.toLowerCase());
        const ids = url.searchParams.getAll('id');
        return reply(200, {
          data: users.filter((user) => logins.includes(user.login) || ids.includes(user.id)),
        });
      }
      if (url.pathname === '/helix/chat/messages' && request.method === 'POST') {
        if (!owner.scopes.includes('user:write:chat'))
          return error(401, 'Unauthorized', 'Missing scope: user:write:chat');
        let body: {
          broadcaster_id?: unknown;
          sender_id?: unknown;
          message?: unknown;
          reply_parent_message_id?: unknown;
        };
        try {
          body = JSON.parse(raw) as typeof body;
        } catch {
          return error(400, 'Bad Request', 'Malformed request body');
        }
        if (typeof body.broadcaster_id !== 'string' || typeof body.sender_id !== 'string') {
          return error(400, 'Bad Request', 'Missing required parameter "broadcaster_id" or "sender_id"');
        }
        if (body.sender_id !== owner.userId) {
          return error(403, 'Forbidden', 'The sender must match the user ID in the access token.');
        }
        if (typeof body.message !== 'string' || body.message.length === 0) {
          return error(400, 'Bad Request', 'Missing required parameter "message"');
        }
        if ([...body.message].length > 500) return error(422, 'Unprocessable Entity', 'The message is too large.');
        const messageId = randomUUID();
        if (drops.count > 0) {
          drops.count -= 1;
          return reply(200, { data: [{ message_id: '', is_sent: false, drop_reason: { ...drops.reason } }] });
        }
        chatMessages.push({
          broadcasterId: body.broadcaster_id,
          senderId: body.sender_id,
          message: body.message,
          replyParentId: typeof body.reply_parent_message_id === 'string' ? body.reply_parent_message_id : null,
          messageId,
        });
        return reply(200, { data: [{ message_id: messageId, is_sent: true, drop_reason: null }] });
      }
      if (url.pathname === '/helix/channels' && request.method === 'GET') {
        const ids = url.searchParams.getAll('broadcaster_id');
        if (ids.length === 0) return error(400, 'Bad Request', 'Missing required parameter "broadcaster_id"');
        return reply(200, {
          data: ids.flatMap((id) => {
            const channel = channels.get(id);
            return channel
              ? [
                  {
                    broadcaster_id: id,
                    broadcaster_login: channel.login,
                    broadcaster_name: channel.name,
                    broadcaster_language: 'en',
                    game_id: channel.game ? '509658' : '',
                    game_name: channel.game,
                    title: channel.title,
                    delay: 0,
                    tags: [],
                    content_classification_labels: [],
                    is_branded_content: false,
                  },
                ]
              : [];
          }),
        });
      }
      if (url.pathname === '/helix/channels/followers' && request.method === 'GET') {
        const broadcaster = url.searchParams.get('broadcaster_id');
        if (!broadcaster) return error(400, 'Bad Request', 'Missing required parameter "broadcaster_id"');
        // Without the scope (or as neither the broadcaster nor a moderator) Twitch answers only the total.
        const allowed = owner.scopes.includes('moderator:read:followers') && owner.userId === broadcaster;
        const all = [...(follows.get(broadcaster) ?? new Map<string, string>())];
        const userId = url.searchParams.get('user_id');
        const data = allowed
          ? all
              .filter(([id]) => userId === null || id === userId)
              .map(([id, followedAt]) => {
                const user = users.find((entry) => entry.id === id);
                return {
                  user_id: id,
                  user_login: user?.login ?? id,
                  user_name: user?.display_name ?? id,
                  followed_at: followedAt,
                };
              })
          : [];
        return reply(200, { total: all.length, data, pagination: {} });
      }
      if (url.pathname === '/helix/chat/shoutouts' && request.method === 'POST') {
        const from = url.searchParams.get('from_broadcaster_id');
        const to = url.searchParams.get('to_broadcaster_id');
        const moderator = url.searchParams.get('moderator_id');
        if (!from || !to || !moderator) return error(400, 'Bad Request', 'Missing required parameter');
        if (!owner.scopes.includes('moderator:manage:shoutouts'))
          return error(401, 'Unauthorized', 'Missing scope: moderator:manage:shoutouts');
        if (moderator !== owner.userId)
          return error(403, 'Forbidden', 'The ID in moderator_id must match the user ID in the access token.');
        if (from === to) return error(400, 'Bad Request', 'The broadcaster may not give itself a Shoutout.');
        if (!channels.has(to)) return error(400, 'Bad Request', 'The to_broadcaster_id is not valid.');
        // Twitch: one shoutout per 2 minutes, and the same streamer once per 60 minutes.
        if (shoutouts.some((entry) => entry.from === from && entry.to === to))
          return error(429, 'Too Many Requests', 'The broadcaster is in a cooldown period for this streamer.');
        shoutouts.push({ from, to, moderatorId: moderator });
        return reply(204);
      }
      const broadcasterId = url.searchParams.get('broadcaster_id');
      const moderatorId = url.searchParams.get('moderator_id');
      if (!broadcasterId || !moderatorId)
        return error(400, 'Bad Request', 'Missing required parameter "broadcaster_id" or "moderator_id"');
      if (moderatorId !== owner.userId) {
        return error(403, 'Forbidden', 'The ID in moderator_id must match the user ID in the access token.');
      }

      if (url.pathname === '/helix/moderation/bans' && request.method === 'POST') {
        if (!owner.scopes.includes('moderator:manage:banned_users')) {
          return error(401, 'Unauthorized', 'Missing scope: moderator:manage:banned_users');
        }
        let data: { user_id?: unknown; duration?: unknown; reason?: unknown } | undefined;
        try {
          data = (JSON.parse(raw) as { data?: typeof data }).data;
        } catch {
          return error(400, 'Bad Request', 'Malformed request body');
        }
        if (!data || typeof data.user_id !== 'string')
          return error(400, 'Bad Request', 'Missing required field "user_id"');
        const duration = typeof data.duration === 'number' ? data.duration : null;
        if (duration !== null && (duration < 1 || duration > 1_209_600)) {
          return error(400, 'Bad Request', 'The value in the duration field is not valid.');
        }
        if (duration === null && bans.some((ban) => ban.userId === data.user_id && ban.duration === null)) {
          return error(400, 'Bad Request', 'The user specified in the user_id field is already banned.');
        }
        bans.push({
          userId: data.user_id,
          duration,
          reason: typeof data.reason === 'string' ? data.reason : '',
          moderatorId,
        });
        return reply(200, {
          data: [
            {
              broadcaster_id: broadcasterId,
              moderator_id: moderatorId,
              user_id: data.user_id,
              created_at: new Date().toISOString(),
              end_time: duration === null ? null : new Date(Date.now() + duration * 1000).toISOString(),
            },
          ],
        });
      }
      if (url.pathname === '/helix/moderation/chat' && request.method === 'DELETE') {
        if (!owner.scopes.includes('moderator:manage:chat_messages')) {
          return error(401, 'Unauthorized', 'Missing scope: moderator:manage:chat_messages');
        }
        const messageId = url.searchParams.get('message_id');
        if (!messageId || !messages.has(messageId)) {
          return error(404, 'Not Found', 'The message specified in the message_id parameter was not found.');
        }
        messages.delete(messageId);
        deleted.push(messageId);
        return reply(204);
      }
      return error(404, 'Not Found', `no route ${request.method} ${url.pathname}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/helix`,
    tokens,
    messages,
    users,
    chatMessages,
    channels,
    follows,
    shoutouts,
    dropNextChat(count, reason) {
      drops.count = count;
      drops.reason = reason;
    },
    bans,
    deleted,
    rateLimitNext(count, resetSeconds = 1) {
      limit.remaining429 = count;
      limit.resetSeconds = resetSeconds;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
