/**
 * The minimum Twitch scopes each feature needs, as data: the login asks for these, the EventSub connector
 * subscribes to what the granted scopes allow, and the README table is generated from the same list.
 *
 * Scope names and subscription versions follow Twitch's EventSub reference
 * (https://dev.twitch.tv/docs/eventsub/eventsub-subscription-types/) and match what @twurple/api 8.1.4
 * sends for each `subscribeTo...` call. Where Twitch accepts either a read or a manage scope, the read
 * scope is the one we ask for (least privilege); the manage scope is accepted when already granted.
 */
import { KnownEventTypes } from '../../../core/envelope.js';

/** Features that are not EventSub subscriptions. */
export const FEATURE_SCOPES = {
  /** Reading chat needs no account at all: tmi.js logs in anonymously (`justinfan*`). */
  chatReadAnonymous: [] as string[],
  /** The bot reading and sending chat over IRC (tmi.js). */
  chatIrc: ['chat:read', 'chat:edit'],
  /**
   * Follow checks (`{followage}`, follower-only giveaways) with the broadcaster's token. Without it
   * Get Channel Followers still answers 200, with no one in it: everybody would look like a non-follower.
   */
  followers: ['moderator:read:followers'],
  /** Sending chat through Helix (POST /helix/chat/messages) instead of IRC. */
  chatHelixSend: ['user:write:chat'],
  /**
   * The bot reading chat over EventSub (channel.chat.*) with its own user token on a WebSocket session.
   * `user:bot` / `channel:bot` are needed only with an app access token (webhooks, conduits), which a
   * desktop app never holds, so they are not asked for.
   */
  chatEventSubRead: ['user:read:chat'],
  /** Timeouts and bans from the console (POST /helix/moderation/bans). */
  moderationBan: ['moderator:manage:banned_users'],
  /** Deleting a chat message from the console (DELETE /helix/moderation/chat). */
  moderationDelete: ['moderator:manage:chat_messages'],
  /** `!so @user` also sends Twitch's own shoutout with the broadcaster's token (POST /helix/chat/shoutouts). */
  shoutout: ['moderator:manage:shoutouts'],
} as const;

export type EventSubCondition = 'broadcaster' | 'broadcaster+moderator' | 'to_broadcaster';

export interface EventSubSubscriptionSpec {
  /** Twitch's subscription type, e.g. `channel.follow`. */
  type: string;
  version: string;
  /** Any one of these scopes allows the subscription; empty means no scope is needed. */
  anyOf: string[];
  /** Only the broadcaster's own token can create it (a moderator's token cannot). */
  broadcasterToken: boolean;
  condition: EventSubCondition;
  /** The envelope type the connector produces. */
  eventType: string;
  /** What it is for, in the README. */
  label: string;
}

export const EVENTSUB_SUBSCRIPTIONS: readonly EventSubSubscriptionSpec[] = [
  {
    type: 'channel.follow',
    version: '2',
    anyOf: [...FEATURE_SCOPES.followers],
    broadcasterToken: false,
    condition: 'broadcaster+moderator',
    eventType: KnownEventTypes.follow,
    label: 'Follows',
  },
  {
    type: 'channel.subscribe',
    version: '1',
    anyOf: ['channel:read:subscriptions'],
    broadcasterToken: true,
    condition: 'broadcaster',
    eventType: KnownEventTypes.sub,
    label: 'Subscriptions',
  },
  {
    type: 'channel.subscription.gift',
    version: '1',
    anyOf: ['channel:read:subscriptions'],
    broadcasterToken: true,
    condition: 'broadcaster',
    eventType: KnownEventTypes.subGift,
    label: 'Gifted subscriptions',
  },
  {
    type: 'channel.subscription.message',
    version: '1',
    anyOf: ['channel:read:subscriptions'],
    broadcasterToken: true,
    condition: 'broadcaster',
    eventType: KnownEventTypes.resub,
    label: 'Resub messages',
  },
  {
    type: 'channel.cheer',
    version: '1',
    anyOf: ['bits:read'],
    broadcasterToken: true,
    condition: 'broadcaster',
    eventType: KnownEventTypes.cheer,
    label: 'Cheers (bits)',
  },
  {
    type: 'channel.raid',
    version: '1',
    anyOf: [],
    broadcasterToken: false,
    condition: 'to_broadcaster',
    eventType: KnownEventTypes.raid,
    label: 'Incoming raids',
  },
  {
    type: 'channel.channel_points_custom_reward_redemption.add',
    version: '1',
    anyOf: ['channel:read:redemptions', 'channel:manage:redemptions'],
    broadcasterToken: true,
    condition: 'broadcaster',
    eventType: KnownEventTypes.redemption,
    label: 'Channel-point redemptions',
  },
  {
    type: 'stream.online',
    version: '1',
    anyOf: [],
    broadcasterToken: false,
    condition: 'broadcaster',
    eventType: KnownEventTypes.streamOnline,
    label: 'Stream online',
  },
  {
    type: 'stream.offline',
    version: '1',
    anyOf: [],
    broadcasterToken: false,
    condition: 'broadcaster',
    eventType: KnownEventTypes.streamOffline,
    label: 'Stream offline',
  },
  {
    type: 'channel.ban',
    version: '1',
    anyOf: ['channel:moderate'],
    broadcasterToken: true,
    condition: 'broadcaster',
    eventType: KnownEventTypes.moderationAction,
    label: 'Bans and timeouts',
  },
  {
    type: 'channel.unban',
    version: '1',
    anyOf: ['channel:moderate'],
    broadcasterToken: true,
    condition: 'broadcaster',
    eventType: KnownEventTypes.moderationAction,
    label: 'Unbans',
  },
  {
    // Version 1 of the hype-train events is deprecated by Twitch; version 2 is the supported one.
    type: 'channel.hype_train.begin',
    version: '2',
    anyOf: ['channel:read:hype_train'],
    broadcasterToken: true,
    condition: 'broadcaster',
    eventType: KnownEventTypes.hypeTrain,
    label: 'Hype train begin',
  },
  {
    type: 'channel.hype_train.end',
    version: '2',
    anyOf: ['channel:read:hype_train'],
    broadcasterToken: true,
    condition: 'broadcaster',
    eventType: KnownEventTypes.hypeTrain,
    label: 'Hype train end',
  },
  {
    type: 'channel.poll.begin',
    version: '1',
    anyOf: ['channel:read:polls', 'channel:manage:polls'],
    broadcasterToken: true,
    condition: 'broadcaster',
    eventType: KnownEventTypes.poll,
    label: 'Poll begin',
  },
  {
    type: 'channel.poll.end',
    version: '1',
    anyOf: ['channel:read:polls', 'channel:manage:polls'],
    broadcasterToken: true,
    condition: 'broadcaster',
    eventType: KnownEventTypes.poll,
    label: 'Poll end',
  },
  {
    type: 'channel.prediction.begin',
    version: '1',
    anyOf: ['channel:read:predictions', 'channel:manage:predictions'],
    broadcasterToken: true,
    condition: 'broadcaster',
    eventType: KnownEventTypes.prediction,
    label: 'Prediction begin',
  },
  {
    type: 'channel.prediction.end',
    version: '1',
    anyOf: ['channel:read:predictions', 'channel:manage:predictions'],
    broadcasterToken: true,
    condition: 'broadcaster',
    eventType: KnownEventTypes.prediction,
    label: 'Prediction end',
  },
];

/**
 * Chat over EventSub: created with the bot's token, condition `{broadcaster_user_id, user_id: bot}`
 * ("read chat as this user"), so they live on the bot's socket, not the broadcaster's.
 */
export const EVENTSUB_CHAT_SUBSCRIPTIONS: readonly EventSubSubscriptionSpec[] = [
  {
    type: 'channel.chat.message',
    version: '1',
    anyOf: [...FEATURE_SCOPES.chatEventSubRead],
    broadcasterToken: false,
    condition: 'broadcaster+moderator',
    eventType: KnownEventTypes.chatMessage,
    label: 'Chat messages (bot over EventSub)',
  },
  {
    type: 'channel.chat.notification',
    version: '1',
    anyOf: [...FEATURE_SCOPES.chatEventSubRead],
    broadcasterToken: false,
    condition: 'broadcaster+moderator',
    eventType: KnownEventTypes.sub,
    label: 'Chat notices: subs, gifts, raids, announcements (bot over EventSub)',
  },
  {
    type: 'channel.chat.message_delete',
    version: '1',
    anyOf: [...FEATURE_SCOPES.chatEventSubRead],
    broadcasterToken: false,
    condition: 'broadcaster+moderator',
    eventType: KnownEventTypes.moderationAction,
    label: 'Deleted chat messages (bot over EventSub)',
  },
  {
    type: 'channel.chat.clear_user_messages',
    version: '1',
    anyOf: [...FEATURE_SCOPES.chatEventSubRead],
    broadcasterToken: false,
    condition: 'broadcaster+moderator',
    eventType: KnownEventTypes.moderationAction,
    label: "A user's chat cleared (bot over EventSub)",
  },
];

export type EventSubSubscriptionType = (typeof EVENTSUB_SUBSCRIPTIONS)[number]['type'];

/**
 * The EventSub subscriptions these granted scopes allow. A moderator's token (not the broadcaster's)
 * only gets the subscriptions Twitch lets a moderator create (follows, raids, stream online/offline).
 */
export function subscriptionsForScopes(
  granted: readonly string[],
  options: { tokenIsBroadcaster?: boolean } = {},
): EventSubSubscriptionSpec[] {
  const have = new Set(granted);
  const isBroadcaster = options.tokenIsBroadcaster ?? true;
  return EVENTSUB_SUBSCRIPTIONS.filter(
    (spec) =>
      (isBroadcaster || !spec.broadcasterToken) &&
      (spec.anyOf.length === 0 || spec.anyOf.some((scope) => have.has(scope))),
  );
}

/** The subscriptions these scopes do NOT allow, with the scope that would (for the UI: "grant X to get Y"). */
export function missingSubscriptions(
  granted: readonly string[],
  options: { tokenIsBroadcaster?: boolean } = {},
): Array<{ spec: EventSubSubscriptionSpec; needs: string }> {
  const allowed = new Set(subscriptionsForScopes(granted, options));
  return EVENTSUB_SUBSCRIPTIONS.filter((spec) => !allowed.has(spec)).map((spec) => ({
    spec,
    needs: spec.anyOf[0] ?? 'the broadcaster account',
  }));
}

/** The broadcaster login asks for the least scope of every EventSub feature plus the moderation actions. */
export const BROADCASTER_SCOPES: readonly string[] = [
  ...new Set([
    ...EVENTSUB_SUBSCRIPTIONS.flatMap((spec) => spec.anyOf.slice(0, 1)),
    ...FEATURE_SCOPES.moderationBan,
    ...FEATURE_SCOPES.moderationDelete,
    ...FEATURE_SCOPES.shoutout,
  ]),
];

/**
 * The bot login: chat over IRC and over EventSub + Helix (the streamer chooses the path), plus moderation
 * when the bot is a moderator of the channel.
 */
export const BOT_SCOPES: readonly string[] = [
  ...new Set([
    ...FEATURE_SCOPES.chatIrc,
    ...FEATURE_SCOPES.chatEventSubRead,
    ...FEATURE_SCOPES.chatHelixSend,
    ...FEATURE_SCOPES.moderationBan,
    ...FEATURE_SCOPES.moderationDelete,
  ]),
];

/**
 * The bot's chat path from the setting and what the bot granted: `auto` takes EventSub + Helix when the
 * bot's token has both chat scopes (a bot linked before they were asked for has not), IRC otherwise.
 */
export function resolveChatTransport(
  setting: 'auto' | 'eventsub' | 'irc',
  botScopes: readonly string[] | null,
): 'irc' | 'eventsub' {
  if (setting === 'irc' || !botScopes) return 'irc';
  const granted = [...FEATURE_SCOPES.chatEventSubRead, ...FEATURE_SCOPES.chatHelixSend].every((scope) =>
    botScopes.includes(scope),
  );
  // `eventsub` without the scopes would only fail at Twitch: IRC keeps the bot talking, and the
  // connector's health says which scopes a new login would add.
  return granted ? 'eventsub' : 'irc';
}

/** The README table of scopes, generated from the data above so the two never disagree. */
export function scopesMarkdownTable(): string {
  const all = (scopes: readonly string[]) => scopes.map((scope) => `\`${scope}\``).join(' and ');
  const rows: string[][] = [
    ['Read chat (anonymous)', '—', 'none'],
    ['Bot reads and sends chat (IRC)', '—', all(FEATURE_SCOPES.chatIrc)],
    ['Bot sends chat through Helix', '—', all(FEATURE_SCOPES.chatHelixSend)],
    ['Timeout / ban from the console', '—', all(FEATURE_SCOPES.moderationBan)],
    ['Delete a message from the console', '—', all(FEATURE_SCOPES.moderationDelete)],
    ["Twitch's shoutout with `!so` (broadcaster)", '—', all(FEATURE_SCOPES.shoutout)],
    ...[...EVENTSUB_SUBSCRIPTIONS, ...EVENTSUB_CHAT_SUBSCRIPTIONS].map((spec) => [
      spec.label,
      `\`${spec.type}\` v${spec.version}`,
      spec.anyOf.length === 0 ? 'none' : spec.anyOf.map((scope) => `\`${scope}\``).join(' or '),
    ]),
  ];
  return [
    '| Feature | EventSub subscription | Scopes |',
    '| --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}
