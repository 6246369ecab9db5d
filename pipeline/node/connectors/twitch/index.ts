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
export { TwitchEventSubConnector } from './eventsub-connector.js';
export type { TwitchEventSubConnectorOptions } from './eventsub-connector.js';
export { normalizeEventSubNotification, TWITCH_EVENTSUB_CONNECTOR } from './eventsub-normalize.js';
export type { EventSubNotification, EventSubNormalizeResult } from './eventsub-normalize.js';
export { createTokenAuthProvider, MissingScopeError } from './helix-auth-provider.js';
export type { HelixTokenSource, TokenAuthProviderOptions } from './helix-auth-provider.js';
export { createHelixModeration, moderationErrorForEvent, TWITCH_HELIX_BASE } from './helix-moderation.js';
export type {
  HelixModeration,
  HelixModerationDeps,
  ModerationResult,
  ModerationActionKind,
} from './helix-moderation.js';
export {
  BOT_SCOPES,
  BROADCASTER_SCOPES,
  EVENTSUB_SUBSCRIPTIONS,
  FEATURE_SCOPES,
  missingSubscriptions,
  scopesMarkdownTable,
  subscriptionsForScopes,
} from './scopes.js';
export type { EventSubSubscriptionSpec } from './scopes.js';
