/**
 * The bot's chat out through Helix Send Chat Message (POST /helix/chat/messages,
 * https://dev.twitch.tv/docs/api/reference/#send-chat-message), which Twitch documents as the bot path
 * next to EventSub `channel.chat.message` in. A `ChatSender`, so chat-egress.ts keeps doing what it does
 * for IRC: one FIFO queue under Twitch's chat limits, 500-character parts, the duplicate guard, replies in
 * the thread (`reply_parent_message_id`).
 *
 * Twitch answers 200 even when it did not post the message: `is_sent: false` with a `drop_reason`
 * (`{code, message}`, e.g. msg_duplicate, msg_rejected_mandatory). That is a dropped delivery with
 * Twitch's own words on the slip, never reported as sent.
 *
 * Plain fetch, as helix-moderation.ts explains: twurple 8.1.4 reaches a non-Twitch host only through a
 * process-wide variable, and its limiter would silently wait on 429 where the slip should say so.
 * The user-token path needs `user:write:chat` only; `user:bot`/`channel:bot` are for app tokens.
 */
import { z } from 'zod';
import { describeIssues } from '../../../core/envelope.js';
import type { SendResult } from './chat-sender.js';
import { TWITCH_HELIX_BASE } from './helix-moderation.js';

export interface HelixChatSenderOptions {
  clientId: string;
  /** The bot's user id (the token's owner): Twitch's `sender_id`. */
  senderId: string;
  /** The broadcaster's user id when already known (the broadcaster account is linked); else looked up. */
  broadcasterId?: string;
  channel: string;
  token: () => string;
  baseUrl?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const SentSchema = z.object({
  data: z
    .array(
      z.object({
        message_id: z.string().max(100),
        is_sent: z.boolean(),
        drop_reason: z
          .object({ code: z.string().max(100), message: z.string().max(500) })
          .nullable()
          .optional(),
      }),
    )
    .min(1),
});

const UsersSchema = z.object({ data: z.array(z.object({ id: z.string().max(40), login: z.string().max(100) })) });

/** Twitch message ids are UUIDs; anything else is not passed on as a reply parent. */
const SAFE_ID = /^[A-Za-z0-9-]{1,100}$/;

/** Helix GET /users?login=…: the user id of a channel, for EventSub conditions and `broadcaster_id`. */
export async function lookupTwitchUserId(options: {
  clientId: string;
  token: string;
  login: string;
  baseUrl?: string;
  fetch?: typeof fetch;
}): Promise<string> {
  const base = (options.baseUrl ?? TWITCH_HELIX_BASE).replace(/\/$/, '');
  const response = await (options.fetch ?? fetch)(`${base}/users?login=${encodeURIComponent(options.login)}`, {
    headers: { 'client-id': options.clientId, authorization: `Bearer ${options.token}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`Helix GET /users answered ${response.status}`);
  const parsed = UsersSchema.safeParse(await response.json());
  if (!parsed.success) throw new Error(`Helix GET /users: ${describeIssues(parsed.error)}`);
  const user = parsed.data.data.find((entry) => entry.login.toLowerCase() === options.login.toLowerCase());
  if (!user) throw new Error(`no Twitch user named ${options.login}`);
  return user.id;
}

export class HelixChatSender {
  private broadcasterId: string | null;
  private running = false;

  constructor(private readonly options: HelixChatSenderOptions) {
    this.broadcasterId = options.broadcasterId ?? null;
  }

  /** Learns the channel's user id (once); a failure is retried at the next send. */
  async start(): Promise<void> {
    this.running = true;
    await this.resolveBroadcaster();
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  /** Helix has no connection to lose: ready while started. */
  isConnected(): boolean {
    return this.running;
  }

  /**
   * The 100-per-30-s limit needs the bot to moderate the channel, which only the broadcaster's own
   * account is known to do without the extra `user:read:moderated_channels` scope: everyone else gets 20.
   */
  isModerator(): boolean {
    return this.broadcasterId !== null && this.broadcasterId === this.options.senderId;
  }

  async send(_channel: string, text: string, replyParentId?: string): Promise<SendResult> {
    if (!this.running) return { status: 'dropped', reason: 'not connected' };
    let broadcasterId: string;
    try {
      broadcasterId = await this.resolveBroadcaster();
    } catch (error) {
      return { status: 'dropped', reason: `could not find the channel on Twitch: ${messageOf(error)}` };
    }
    const base = (this.options.baseUrl ?? TWITCH_HELIX_BASE).replace(/\/$/, '');
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(`${base}/chat/messages`, {
        method: 'POST',
        headers: {
          'client-id': this.options.clientId,
          authorization: `Bearer ${this.options.token()}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          broadcaster_id: broadcasterId,
          sender_id: this.options.senderId,
          message: text,
          ...(replyParentId && SAFE_ID.test(replyParentId) ? { reply_parent_message_id: replyParentId } : {}),
        }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      return { status: 'dropped', reason: `could not reach Twitch: ${messageOf(error)}` };
    }
    const body = await response.text().catch(() => '');
    if (!response.ok) return { status: 'dropped', reason: refusal(response, body) };
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return { status: 'dropped', reason: 'Twitch answered Send Chat Message with something that is not JSON' };
    }
    const parsed = SentSchema.safeParse(json);
    if (!parsed.success)
      return { status: 'dropped', reason: `unexpected Send Chat Message answer: ${describeIssues(parsed.error)}` };
    const [sent] = parsed.data.data;
    if (sent!.is_sent) return { status: 'sent', confirmed: true };
    const drop = sent!.drop_reason;
    return {
      status: 'dropped',
      reason: drop ? `Twitch dropped it: ${drop.code} (${drop.message})` : 'Twitch did not send it (is_sent: false)',
    };
  }

  private async resolveBroadcaster(): Promise<string> {
    if (this.broadcasterId) return this.broadcasterId;
    this.broadcasterId = await lookupTwitchUserId({
      clientId: this.options.clientId,
      token: this.options.token(),
      login: this.options.channel,
      ...(this.options.baseUrl ? { baseUrl: this.options.baseUrl } : {}),
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
    });
    return this.broadcasterId;
  }
}

/** A non-2xx answer in words for the slip. */
function refusal(response: Response, body: string): string {
  let said = '';
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    if (typeof message === 'string' && message) said = `: ${message.slice(0, 300)}`;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  switch (response.status) {
    case 401:
      return `Twitch rejected the bot's token (expired, revoked or missing user:write:chat)${said}`;
    case 403:
      return `Twitch does not let the bot chat here (banned, timed out, or not allowed)${said}`;
    case 422:
      return `Twitch refused the message (too long or not allowed)${said}`;
    case 429: {
      const reset = Number(response.headers.get('ratelimit-reset'));
      const wait = Number.isFinite(reset) && reset > 0 ? Math.max(0, Math.ceil(reset - Date.now() / 1000)) : null;
      return `Twitch is rate limiting the bot${wait === null ? '' : `; the bucket refills in ${wait} s`}`;
    }
    default:
      return `Twitch answered ${response.status}${said}`;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
