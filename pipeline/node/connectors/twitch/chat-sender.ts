/**
 * The bot's own tmi.js connection for sending (the egress worker is a separate thread from the
 * ingress connector, so it holds its own socket). A send is confirmed the way Twitch confirms it:
 * the server answers each accepted PRIVMSG with USERSTATE, and a refused one with a NOTICE whose
 * msg-id starts with `msg_` (msg_ratelimit, msg_duplicate, msg_banned, msg_slowmode ...).
 * https://dev.twitch.tv/docs/chat/irc/#userstate , https://dev.twitch.tv/docs/chat/irc/#notice-reference
 */
import type tmi from 'tmi.js';
import type { ParsedIrcMessage } from './irc-normalize.js';
import { parseBadges, unescapeTags } from './irc-tags.js';

export type SendResult = { status: 'sent'; confirmed: boolean } | { status: 'dropped'; reason: string };

export interface ChatSender {
  /** Writes one PRIVMSG (already within Twitch's limits); resolves once Twitch accepted or refused it. */
  send(channel: string, text: string, replyParentId?: string): Promise<SendResult>;
  /** Whether the bot is a moderator or the broadcaster in `channel` (Twitch's higher rate limit). */
  isModerator(channel: string): boolean;
}

export interface TmiChatSenderOptions {
  login: string;
  token: () => string | Promise<string>;
  channels: string[];
  server?: { host: string; port: number; secure: boolean };
  /** No USERSTATE or NOTICE after this long: reported sent but unconfirmed. */
  confirmTimeoutMs?: number;
  joinTimeoutMs?: number;
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
}

type TmiClient = tmi.Client & { reconnect: boolean };
interface Pending {
  resolve: (result: SendResult) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Twitch message ids are UUIDs; anything else must not reach the raw tag section of the line. */
const SAFE_ID = /^[A-Za-z0-9-]{1,100}$/;

export class TmiChatSender implements ChatSender {
  private client: TmiClient | null = null;
  private readonly pending = new Map<string, Pending[]>();
  private readonly moderatorIn = new Set<string>();
  private readonly confirmTimeoutMs: number;

  constructor(private readonly options: TmiChatSenderOptions) {
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 5000;
  }

  /** Connects and joins the channels; resolves when every channel is joined (or after `joinTimeoutMs`). */
  async start(): Promise<void> {
    const { options } = this;
    // Imported on first use: the one worker bundle is loaded by every pipeline worker, most never chat.
    const { default: tmiModule } = await import('tmi.js');
    const client = new tmiModule.Client({
      options: { skipUpdatingEmotesets: true, joinInterval: 300 },
      connection: {
        server: options.server?.host ?? 'irc-ws.chat.twitch.tv',
        port: options.server?.port ?? 443,
        secure: options.server?.secure ?? true,
        reconnect: true,
        reconnectInterval: options.reconnect?.initialDelayMs ?? 1000,
        maxReconnectInterval: options.reconnect?.maxDelayMs ?? 30_000,
      },
      identity: { username: options.login, password: options.token },
      channels: options.channels.map(channelName),
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    }) as TmiClient;
    this.client = client;
    client.on('raw_message', (cloned: { [property: string]: unknown }) =>
      this.onLine(cloned as unknown as ParsedIrcMessage),
    );
    client.on('disconnected', () => this.failPending('disconnected before Twitch confirmed'));
    const waiting = new Set(options.channels.map(channelName));
    const joined = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.joinTimeoutMs ?? 10_000);
      const onJoin = (channel: string, _user: string, self: boolean) => {
        if (self) waiting.delete(channel);
        if (waiting.size > 0) return;
        clearTimeout(timer);
        client.removeListener('join', onJoin);
        resolve();
      };
      client.on('join', onJoin);
      if (waiting.size === 0) onJoin('', '', false);
    });
    await client.connect();
    await joined;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.failPending('sender stopped');
    if (client) {
      client.reconnect = false;
      // tmi.js may already have a reconnect timer running (it cannot be cancelled): make it a no-op,
      // or a stopped connector would open a socket nobody listens to.
      client.connect = () => Promise.resolve(['', 0]);
      client.removeAllListeners();
      await client.disconnect().catch(() => undefined);
    }
  }

  /** Whether the socket is open (tmi.js reconnects by itself, except after Twitch refused the login). */
  isConnected(): boolean {
    return this.client?.readyState() === 'OPEN';
  }

  isModerator(channel: string): boolean {
    return this.moderatorIn.has(channelName(channel));
  }

  async send(channel: string, text: string, replyParentId?: string): Promise<SendResult> {
    const client = this.client;
    const target = channelName(channel);
    if (!client || client.readyState() !== 'OPEN') return { status: 'dropped', reason: 'not connected' };
    if (!client.getChannels().includes(target)) {
      try {
        await client.join(target);
      } catch (error) {
        return { status: 'dropped', reason: `could not join ${target}: ${String(error)}` };
      }
    }
    const reply = replyParentId && SAFE_ID.test(replyParentId) ? `@reply-parent-msg-id=${replyParentId} ` : '';
    const confirmation = new Promise<SendResult>((resolve) => {
      const queue = this.pending.get(target) ?? [];
      const entry: Pending = {
        resolve,
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(entry), 1);
          resolve({ status: 'sent', confirmed: false });
        }, this.confirmTimeoutMs),
      };
      queue.push(entry);
      this.pending.set(target, queue);
    });
    try {
      // Raw, not say(): say() treats a leading '/' or '.' as a command and cannot carry the reply tag.
      await client.raw(`${reply}PRIVMSG ${target} :${text}`);
    } catch (error) {
      this.settleNext(target, { status: 'dropped', reason: `not written: ${String(error)}` });
    }
    return confirmation;
  }

  private onLine(message: ParsedIrcMessage): void {
    const target = message.params?.[0];
    if (typeof target !== 'string' || !target.startsWith('#')) return;
    if (message.command === 'USERSTATE') {
      const tags = unescapeTags(message.tags ?? {});
      const badges = parseBadges(tags['badges']);
      if (tags['mod'] === '1' || 'broadcaster' in badges || 'moderator' in badges) this.moderatorIn.add(target);
      else this.moderatorIn.delete(target);
      this.settleNext(target, { status: 'sent', confirmed: true });
    } else if (message.command === 'NOTICE') {
      const msgId = message.tags?.['msg-id'];
      if (typeof msgId === 'string' && msgId.startsWith('msg_')) {
        this.settleNext(target, { status: 'dropped', reason: `Twitch refused it: ${msgId}` });
      }
    }
  }

  private settleNext(target: string, result: SendResult): void {
    const entry = this.pending.get(target)?.shift();
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.resolve(result);
  }

  private failPending(reason: string): void {
    for (const queue of this.pending.values()) {
      for (const entry of queue.splice(0)) {
        clearTimeout(entry.timer);
        entry.resolve({ status: 'dropped', reason });
      }
    }
  }
}

function channelName(channel: string): string {
  return (channel.startsWith('#') ? channel : `#${channel}`).toLowerCase();
}
