/** Twitch chat in and out, and the account login: the public surface of this folder. */
export { normalizeIrcLine, normalizeIrcMessage, TWITCH_CHAT_CONNECTOR } from './irc-normalize.js';
export type { IrcNormalizeResult, ParsedIrcMessage } from './irc-normalize.js';
export { TwitchChatConnector, DEFAULT_STALL_TIMEOUT_MS } from './chat-connector.js';
export type { TwitchChatConnectorOptions } from './chat-connector.js';
export { createTwitchChatEgress, TWITCH_CHAT_LIMITS } from './chat-egress.js';
export type { TwitchChatEgress, TwitchChatEgressDeps, TwitchChatEgressLimits } from './chat-egress.js';
export { TmiChatSender } from './chat-sender.js';
export type { ChatSender, SendResult, TmiChatSenderOptions } from './chat-sender.js';
export {
  requestDeviceCode,
  pollDeviceToken,
  TwitchTokenManager,
  TwitchAuthError,
  TWITCH_OAUTH_BASE,
} from './device-auth.js';
export type { DeviceAuthOptions, DeviceCode, AccountAuthState } from './device-auth.js';
export { TwitchTokenStore, keyFileCipher } from './token-store.js';
export type { SecretCipher, StoredTwitchToken } from './token-store.js';
