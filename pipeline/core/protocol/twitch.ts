/**
 * What the host tells the ingress and egress workers about Twitch, over their control lines.
 *
 * The host owns the tokens (secret store, refresh, login); workers only ever hold the current access
 * token in memory, pushed again after every refresh. Nothing here is persisted or logged.
 */
import { SERVICE_IDS } from '../service.js';

/** The Twitch chat connector: the ingress connector of chat events and the egress service that answers there. */
export const TWITCH_CHAT_CONNECTOR = SERVICE_IDS.twitchChat;

export const TWITCH_ACCOUNTS = ['broadcaster', 'bot'] as const;
export type TwitchAccountName = (typeof TWITCH_ACCOUNTS)[number];

/** An account as the workers need it: who it is, what it may do, and its current access token. */
export interface TwitchWorkerAccount {
  login: string;
  userId: string;
  scopes: string[];
  accessToken: string;
}

/**
 * How the linked bot reads and sends chat: `eventsub` is EventSub `channel.chat.*` in and Helix Send Chat
 * Message out (Twitch's recommended bot path), `irc` is tmi.js. Anonymous reading is always IRC.
 */
export const TWITCH_CHAT_TRANSPORTS = ['irc', 'eventsub'] as const;
export type TwitchChatTransport = (typeof TWITCH_CHAT_TRANSPORTS)[number];

export interface TwitchWorkerConfig {
  /** The channel to read and answer in (a login, no '#'); empty: no chat connection at all. */
  channel: string;
  clientId: string;
  /** Twitch's IRC-over-WebSocket server (tests point this at a local one). */
  irc: { host: string; port: number; secure: boolean };
  /** EventSub WebSocket URL; null is twurple's default (Twitch). */
  eventsubUrl: string | null;
  /** Helix base URL (`…/helix`): Send Chat Message when the bot chats over EventSub. */
  helixUrl: string;
  /**
   * The bot's chat path, resolved by the host from the `twitchChatTransport` setting and the scopes the
   * bot granted. With `eventsub` the ingress worker still falls back to tmi.js when the chat subscriptions
   * cannot be created (and says so in the connector's health).
   */
  chatTransport: TwitchChatTransport;
  /** Linked and usable (not `needs-login`); null otherwise. */
  bot: TwitchWorkerAccount | null;
  broadcaster: TwitchWorkerAccount | null;
}

/** One account as the console shows it (`twitch.accounts`). */
export interface TwitchAccountStatus {
  account: TwitchAccountName;
  state: 'linked' | 'pending' | 'needs-login' | 'none';
  login: string | null;
  userId: string | null;
  scopes: string[];
  /** While `pending`: the code the user types at the verification page. */
  pending: { userCode: string; verificationUri: string; expiresAt: number } | null;
  /** Why the last login or refresh failed, in words for the streamer. */
  error: string | null;
}

export interface TwitchDeviceLogin {
  userCode: string;
  verificationUri: string;
  expiresAt: number;
}
