/**
 * Moderator actions from the console through Helix: timeout, ban, delete message
 * (https://dev.twitch.tv/docs/api/reference/#ban-user, #delete-chat-messages). Each call returns a
 * result record to keep on the event (`{action, target, ok, error?, at}`); it never throws.
 *
 * Plain fetch, not @twurple/api: twurple 8.1.4 reaches a non-Twitch host only through the process-wide
 * TWURPLE_MOCK_API_PORT variable, and its Helix rate limiter silently waits and retries on 429, where a
 * moderator who clicked "ban" should be told at once that Twitch is rate limiting (and for how long).
 * A 401 is retried once after one token refresh (shared with every other caller by TwitchTokenManager);
 * a second 401 or a dead refresh token means the account needs to log in again, and the result says so.
 */
import type { EventErrorSchema } from '../../../core/envelope.js';
import type { z } from 'zod';
import type { HelixTokenSource } from './helix-auth-provider.js';

export const TWITCH_HELIX_BASE = 'https://api.twitch.tv/helix';
/** Twitch's longest timeout: two weeks. */
export const MAX_TIMEOUT_SECONDS = 1_209_600;
/** Twitch's limit for a ban reason. */
export const MAX_REASON_LENGTH = 500;

export type ModerationActionKind = 'timeout' | 'ban' | 'delete';
export type ModerationErrorCode =
  'invalid' | 'unauthorized' | 'forbidden' | 'rate-limited' | 'not-found' | 'rejected' | 'network' | 'http';

export interface ModerationResult {
  action: ModerationActionKind;
  /** The user id (timeout, ban) or the message id (delete). */
  target: string;
  ok: boolean;
  /** Why it failed, in words a moderator understands. */
  error?: string;
  code?: ModerationErrorCode;
  /** HTTP status Twitch answered, when it answered. */
  status?: number;
  /** When rate limited: how long until Twitch's bucket refills. */
  retryAfterMs?: number;
  durationSeconds?: number;
  at: number;
}

export interface HelixModerationDeps {
  clientId: string;
  broadcasterId: string;
  /** The user id of the token's owner: the broadcaster or a moderator of the channel. */
  moderatorId: string;
  tokens: HelixTokenSource;
  /** Defaults to Twitch; tests point it at a local server. */
  baseUrl?: string;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
}

export interface HelixModeration {
  timeout(userId: string, seconds: number, reason?: string): Promise<ModerationResult>;
  ban(userId: string, reason?: string): Promise<ModerationResult>;
  deleteMessage(messageId: string): Promise<ModerationResult>;
}

const USER_ID = /^\d{1,20}$/;
const MESSAGE_ID = /^[A-Za-z0-9-]{1,100}$/;

interface Answer {
  status: number;
  message: string;
  reset: number | null;
}

export function createHelixModeration(deps: HelixModerationDeps): HelixModeration {
  const now = deps.now ?? Date.now;
  const doFetch = deps.fetch ?? fetch;
  const base = (deps.baseUrl ?? TWITCH_HELIX_BASE).replace(/\/$/, '');
  const query = `broadcaster_id=${encodeURIComponent(deps.broadcasterId)}&moderator_id=${encodeURIComponent(deps.moderatorId)}`;

  async function send(method: 'POST' | 'DELETE', path: string, body: unknown, token: string): Promise<Answer> {
    const response = await doFetch(`${base}/${path}`, {
      method,
      headers: {
        'client-id': deps.clientId,
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
    });
    let message = '';
    try {
      const text = await response.text();
      if (text) {
        const parsed = JSON.parse(text) as { message?: unknown };
        if (typeof parsed.message === 'string') message = parsed.message.slice(0, 300);
      }
    } catch {
      // A non-JSON error body (a proxy's HTML page): the status says enough.
    }
    const reset = Number(response.headers.get('ratelimit-reset'));
    return { status: response.status, message, reset: Number.isFinite(reset) && reset > 0 ? reset * 1000 : null };
  }

  async function call(
    action: ModerationActionKind,
    target: string,
    method: 'POST' | 'DELETE',
    path: string,
    body: unknown,
    extra: Partial<ModerationResult> = {},
  ): Promise<ModerationResult> {
    const result = (fields: Partial<ModerationResult> & { ok: boolean }): ModerationResult => ({
      action,
      target,
      ...extra,
      ...fields,
      at: now(),
    });
    let answer: Answer;
    try {
      answer = await send(method, path, body, await deps.tokens.accessToken());
      if (answer.status === 401) {
        // Expired early or revoked: one refresh (shared with other callers), one retry.
        const refreshed = await deps.tokens.refresh();
        answer = await send(method, path, body, refreshed.accessToken);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof Error && error.name === 'TwitchAuthError') {
        return result({
          ok: false,
          code: 'unauthorized',
          error: `the Twitch token was revoked or expired and cannot be renewed (${message}); log in to Twitch again`,
        });
      }
      return result({ ok: false, code: 'network', error: `could not reach Twitch: ${message}` });
    }
    const { status, message } = answer;
    if (status >= 200 && status < 300) return result({ ok: true, status });
    const said = message ? `: ${message}` : '';
    switch (status) {
      case 401:
        return result({
          ok: false,
          status,
          code: 'unauthorized',
          error: `Twitch rejected the moderator token (revoked, expired or missing a scope)${said}; log in again`,
        });
      case 403:
        return result({
          ok: false,
          status,
          code: 'forbidden',
          error: `not allowed: the account is not a moderator here${said}`,
        });
      case 404:
        return result({
          ok: false,
          status,
          code: 'not-found',
          error: action === 'delete' ? `the message is gone (already deleted or too old)${said}` : `not found${said}`,
        });
      case 429: {
        const retryAfterMs = answer.reset === null ? undefined : Math.max(0, answer.reset - now());
        return result({
          ok: false,
          status,
          code: 'rate-limited',
          error: `Twitch is rate limiting moderation calls${retryAfterMs === undefined ? '' : `; try again in ${Math.ceil(retryAfterMs / 1000)} s`}`,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      case 400:
        return result({ ok: false, status, code: 'rejected', error: `Twitch refused${said}` });
      default:
        return result({ ok: false, status, code: 'http', error: `Twitch answered ${status}${said}` });
    }
  }

  const invalid = (action: ModerationActionKind, target: string, error: string): ModerationResult => ({
    action,
    target: String(target).slice(0, 100),
    ok: false,
    code: 'invalid',
    error,
    at: now(),
  });

  const banBody = (userId: string, reason: string | undefined, duration?: number) => ({
    data: {
      user_id: userId,
      ...(duration === undefined ? {} : { duration }),
      ...(reason ? { reason: reason.slice(0, MAX_REASON_LENGTH) } : {}),
    },
  });

  return {
    timeout(userId, seconds, reason) {
      if (typeof userId !== 'string' || !USER_ID.test(userId)) {
        return Promise.resolve(invalid('timeout', userId, 'user id must be a Twitch numeric user id'));
      }
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
        return Promise.resolve(invalid('timeout', userId, `timeout must be 1 to ${MAX_TIMEOUT_SECONDS} whole seconds`));
      }
      return call('timeout', userId, 'POST', `moderation/bans?${query}`, banBody(userId, reason, seconds), {
        durationSeconds: seconds,
      });
    },
    ban(userId, reason) {
      if (typeof userId !== 'string' || !USER_ID.test(userId)) {
        return Promise.resolve(invalid('ban', userId, 'user id must be a Twitch numeric user id'));
      }
      return call('ban', userId, 'POST', `moderation/bans?${query}`, banBody(userId, reason));
    },
    deleteMessage(messageId) {
      if (typeof messageId !== 'string' || !MESSAGE_ID.test(messageId)) {
        return Promise.resolve(invalid('delete', messageId, 'message id is not a Twitch message id'));
      }
      return call(
        'delete',
        messageId,
        'DELETE',
        `moderation/chat?${query}&message_id=${encodeURIComponent(messageId)}`,
        undefined,
      );
    },
  };
}

/** A failed action as an entry of the event's `errors[]`. */
export function moderationErrorForEvent(result: ModerationResult): z.infer<typeof EventErrorSchema> | null {
  if (result.ok) return null;
  return {
    at: result.at,
    source: 'helix-moderation',
    code: `moderation.${result.action}.${result.code ?? 'http'}`,
    message: (result.error ?? 'failed').slice(0, 2000),
  };
}
