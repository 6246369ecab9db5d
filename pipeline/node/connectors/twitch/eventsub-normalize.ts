/**
 * One EventSub notification → one inbound event. The payload is Twitch's `event` object as documented in
 * https://dev.twitch.tv/docs/eventsub/eventsub-reference/ ; it is untrusted input, so every field is read
 * defensively and a missing required one yields `{ok: false, error}` naming it, never a throw.
 *
 * Facts go to fixed places, named like the IRC normalizer's (irc-normalize.ts) so rules see the same keys
 * whichever connector saw the event: `details.{months, giftCount, bits, viewers, tier, targetUserId,
 * durationSeconds, ...}`. The whole payload is kept in `externalEvent.payload` for audit, and
 * `externalEvent.id` is the EventSub message id (Twitch's key for its at-least-once redeliveries).
 */
import { KnownEventTypes, type InboundEvent } from '../../../core/envelope.js';
import { TWITCH_CHAT_CONNECTOR } from './irc-normalize.js';
import { rolesFrom, type EmoteRange } from './irc-tags.js';

export const TWITCH_EVENTSUB_CONNECTOR = 'twitch-eventsub';

export type EventSubNormalizeResult = { ok: true; event: InboundEvent } | { ok: false; error: string };

export interface EventSubNotification {
  /** `metadata.subscription_type`, e.g. `channel.follow`. */
  subscriptionType: string;
  /** `metadata.message_id`. */
  messageId: string;
  /** `payload.event`. */
  event: unknown;
  /** `metadata.message_timestamp` in epoch ms, when known. */
  sentAt?: number;
}

type Fields = Record<string, unknown>;

const str = (fields: Fields, key: string): string | undefined => {
  const value = fields[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
};
const num = (fields: Fields, key: string): number | undefined => {
  const value = fields[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
};
const bool = (fields: Fields, key: string): boolean | undefined => {
  const value = fields[key];
  return typeof value === 'boolean' ? value : undefined;
};
const obj = (fields: Fields, key: string): Fields | undefined => {
  const value = fields[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
};
const time = (fields: Fields, key: string): number | undefined => {
  const value = str(fields, key);
  if (!value) return undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) ? at : undefined;
};

function compact(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined && value !== ''));
}

class MissingField extends Error {}

/** A user named by `<prefix>user_id / _login / _name`, e.g. `moderator_user_id`. */
function userFrom(fields: Fields, prefix: string): InboundEvent['identity']['external'] | undefined {
  const id = str(fields, `${prefix}user_id`) ?? str(fields, `${prefix}id`);
  const login = str(fields, `${prefix}user_login`) ?? str(fields, `${prefix}login`);
  if (!id || !login) return undefined;
  const display = str(fields, `${prefix}user_name`) ?? str(fields, `${prefix}name`);
  return {
    id: id.slice(0, 100),
    platform: 'twitch',
    login: login.toLowerCase().slice(0, 100),
    displayName: (display?.trim() || login).slice(0, 100),
    roles: [],
    badges: {},
  };
}

function requireUser(fields: Fields, prefix: string): InboundEvent['identity']['external'] {
  const user = userFrom(fields, prefix);
  if (!user) throw new MissingField(`${prefix}user_id/${prefix}user_login`);
  return user;
}

/** Anonymous gifts and cheers carry no user (user_id is null); they are attributed to a fixed identity. */
const ANONYMOUS = {
  id: 'anonymous',
  platform: 'twitch',
  login: 'ananonymousgifter',
  displayName: 'Anonymous',
  roles: [],
  badges: {},
} as const;

/** Events no viewer caused (stream online, hype train, polls) are attributed to the broadcaster. */
function broadcaster(fields: Fields): InboundEvent['identity']['external'] {
  const user = userFrom(fields, 'broadcaster_');
  if (!user) throw new MissingField('broadcaster_user_id/broadcaster_user_login');
  return { ...user, roles: ['broadcaster'] };
}

function userSummary(user: InboundEvent['identity']['external'] | undefined) {
  return user ? { id: user.id, login: user.login, displayName: user.displayName } : undefined;
}

/** `1000` / `2000` / `3000` → 1 / 2 / 3 (Twitch's sub tiers). */
function tierNumber(tier: string | undefined): number | undefined {
  return tier === '1000' ? 1 : tier === '2000' ? 2 : tier === '3000' ? 3 : undefined;
}

interface Normalized {
  type: string;
  identity: InboundEvent['identity']['external'];
  details: Record<string, unknown>;
  message?: InboundEvent['message'];
  channelFrom?: string;
}

function choices(list: unknown, key: 'choices' | 'outcomes'): Array<Record<string, unknown>> | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.slice(0, 10).map((item: unknown) => {
    const fields = (item !== null && typeof item === 'object' ? item : {}) as Fields;
    return compact({
      id: str(fields, 'id'),
      title: str(fields, 'title'),
      ...(key === 'choices' ? { votes: num(fields, 'votes') } : { users: num(fields, 'users') }),
      ...(key === 'outcomes' ? { channelPoints: num(fields, 'channel_points') } : {}),
    });
  });
}

const HANDLERS: Record<string, (fields: Fields) => Normalized> = {
  'channel.follow': (fields) => ({
    type: KnownEventTypes.follow,
    identity: requireUser(fields, ''),
    details: { followedAt: time(fields, 'followed_at') },
  }),
  'channel.subscribe': (fields) => ({
    type: KnownEventTypes.sub,
    identity: requireUser(fields, ''),
    details: { tier: tierNumber(str(fields, 'tier')), plan: str(fields, 'tier'), isGift: bool(fields, 'is_gift') },
  }),
  'channel.subscription.gift': (fields) => {
    const anonymous = bool(fields, 'is_anonymous') === true || !str(fields, 'user_id');
    return {
      type: KnownEventTypes.subGift,
      identity: anonymous ? { ...ANONYMOUS, roles: [] } : requireUser(fields, ''),
      details: {
        giftCount: num(fields, 'total'),
        senderTotal: num(fields, 'cumulative_total') ?? undefined,
        tier: tierNumber(str(fields, 'tier')),
        plan: str(fields, 'tier'),
        anonymous: anonymous ? true : undefined,
      },
    };
  },
  'channel.subscription.message': (fields) => {
    const message = obj(fields, 'message');
    const text = message ? str(message, 'text') : undefined;
    const emotes = message && Array.isArray(message['emotes']) ? (message['emotes'] as unknown[]) : [];
    return {
      type: KnownEventTypes.resub,
      identity: requireUser(fields, ''),
      details: {
        months: num(fields, 'cumulative_months'),
        streakMonths: num(fields, 'streak_months') ?? undefined,
        durationMonths: num(fields, 'duration_months'),
        tier: tierNumber(str(fields, 'tier')),
        plan: str(fields, 'tier'),
      },
      ...(text
        ? {
            message: {
              text: text.slice(0, 10_000),
              emotes: emotes
                .slice(0, 500)
                .map((emote) => (emote !== null && typeof emote === 'object' ? (emote as Fields) : {}))
                .filter(
                  (emote) => str(emote, 'id') && num(emote, 'begin') !== undefined && num(emote, 'end') !== undefined,
                )
                .map((emote) => ({
                  id: String(emote['id']).slice(0, 100),
                  start: Math.max(0, Math.trunc(num(emote, 'begin') ?? 0)),
                  end: Math.max(0, Math.trunc(num(emote, 'end') ?? 0)),
                })),
            },
          }
        : {}),
    };
  },
  'channel.cheer': (fields) => {
    const anonymous = bool(fields, 'is_anonymous') === true || !str(fields, 'user_id');
    const bits = num(fields, 'bits');
    if (bits === undefined) throw new MissingField('bits');
    const text = str(fields, 'message');
    return {
      type: KnownEventTypes.cheer,
      identity: anonymous ? { ...ANONYMOUS, roles: [] } : requireUser(fields, ''),
      details: { bits, anonymous: anonymous ? true : undefined },
      ...(text ? { message: { text: text.slice(0, 10_000) } } : {}),
    };
  },
  'channel.raid': (fields) => {
    const raider = requireUser(fields, 'from_broadcaster_');
    const target = userFrom(fields, 'to_broadcaster_');
    return {
      type: KnownEventTypes.raid,
      identity: raider,
      details: { viewers: num(fields, 'viewers'), raider: userSummary(raider) },
      ...(target ? { channelFrom: target.login } : {}),
    };
  },
  'channel.channel_points_custom_reward_redemption.add': (fields) => {
    const reward = obj(fields, 'reward') ?? {};
    const input = str(fields, 'user_input');
    return {
      type: KnownEventTypes.redemption,
      identity: requireUser(fields, ''),
      details: {
        redemptionId: str(fields, 'id'),
        rewardId: str(reward, 'id'),
        rewardTitle: str(reward, 'title'),
        rewardCost: num(reward, 'cost'),
        rewardPrompt: str(reward, 'prompt'),
        input,
        status: str(fields, 'status'),
        redeemedAt: time(fields, 'redeemed_at'),
      },
      ...(input ? { message: { text: input.slice(0, 10_000) } } : {}),
    };
  },
  'stream.online': (fields) => ({
    type: KnownEventTypes.streamOnline,
    identity: broadcaster(fields),
    details: { streamId: str(fields, 'id'), streamType: str(fields, 'type'), startedAt: time(fields, 'started_at') },
  }),
  'stream.offline': (fields) => ({
    type: KnownEventTypes.streamOffline,
    identity: broadcaster(fields),
    details: {},
  }),
  'channel.ban': (fields) => {
    const target = requireUser(fields, '');
    const permanent = bool(fields, 'is_permanent') === true;
    const bannedAt = time(fields, 'banned_at');
    const endsAt = time(fields, 'ends_at');
    return {
      type: KnownEventTypes.moderationAction,
      // The moderator acted; the target is in the details (like CLEARCHAT's target-user-id).
      identity: userFrom(fields, 'moderator_') ?? broadcaster(fields),
      details: {
        action: 'ban',
        targetUserId: target.id,
        targetLogin: target.login,
        targetDisplayName: target.displayName,
        reason: str(fields, 'reason'),
        permanent,
        durationSeconds:
          !permanent && bannedAt !== undefined && endsAt !== undefined
            ? Math.round((endsAt - bannedAt) / 1000)
            : undefined,
        endsAt,
      },
    };
  },
  'channel.unban': (fields) => {
    const target = requireUser(fields, '');
    return {
      type: KnownEventTypes.moderationAction,
      identity: userFrom(fields, 'moderator_') ?? broadcaster(fields),
      details: {
        action: 'unban',
        targetUserId: target.id,
        targetLogin: target.login,
        targetDisplayName: target.displayName,
      },
    };
  },
  'channel.hype_train.begin': (fields) => hypeTrain(fields, 'begin'),
  'channel.hype_train.end': (fields) => hypeTrain(fields, 'end'),
  'channel.poll.begin': (fields) => poll(fields, 'begin'),
  'channel.poll.end': (fields) => poll(fields, 'end'),
  'channel.prediction.begin': (fields) => prediction(fields, 'begin'),
  'channel.prediction.end': (fields) => prediction(fields, 'end'),
  'channel.chat.message': chatMessage,
  'channel.chat.notification': chatNotification,
  'channel.chat.message_delete': (fields) => {
    const targetMessageId = str(fields, 'message_id');
    if (!targetMessageId) throw new MissingField('message_id');
    const target = userFrom(fields, 'target_');
    return {
      type: KnownEventTypes.moderationAction,
      identity: room(fields),
      details: { action: 'delete', targetMessageId, targetUserId: target?.id, targetLogin: target?.login },
    };
  },
  'channel.chat.clear_user_messages': (fields) => {
    const target = requireUser(fields, 'target_');
    // Twitch sends this when a moderator bans or times the user out; which of the two it was comes
    // separately (channel.ban), so the action says only what happened to chat.
    return {
      type: KnownEventTypes.moderationAction,
      identity: room(fields),
      details: {
        action: 'clear-user',
        targetUserId: target.id,
        targetLogin: target.login,
        targetDisplayName: target.displayName,
      },
    };
  },
};

/** Chat events no chatter caused are attributed to the room, exactly as the IRC path does (CLEARMSG). */
function room(fields: Fields): InboundEvent['identity']['external'] {
  const owner = broadcaster(fields);
  return { ...owner, displayName: owner.login, roles: [] };
}

/** EventSub's `badges: [{set_id, id, info}]` → IRC's badge map, roles and the months in the sub badge's info. */
function chatBadges(fields: Fields): {
  badges: Record<string, string>;
  roles: ReturnType<typeof rolesFrom>;
  months?: number;
} {
  const badges: Record<string, string> = {};
  let months: number | undefined;
  const list = Array.isArray(fields['badges']) ? (fields['badges'] as unknown[]) : [];
  for (const item of list.slice(0, 50)) {
    if (item === null || typeof item !== 'object') continue;
    const badge = item as Fields;
    const setId = str(badge, 'set_id');
    if (!setId || setId.length > 40) continue;
    badges[setId] = (str(badge, 'id') ?? '').slice(0, 40);
    const info = str(badge, 'info');
    if ((setId === 'subscriber' || setId === 'founder') && info && /^\d{1,6}$/.test(info)) months = Number(info);
  }
  return { badges, roles: rolesFrom(badges, {}), ...(months !== undefined ? { months } : {}) };
}

/** The chatter with the badges of this message (roles are per message, never sticky). */
function chatter(fields: Fields): InboundEvent['identity']['external'] {
  const user = requireUser(fields, 'chatter_');
  const { badges, roles } = chatBadges(fields);
  return { ...user, roles, badges };
}

/**
 * `message: {text, fragments}` → text and emote ranges. Twitch's IRC emote positions count Unicode code
 * points of the text; the fragments are laid end to end, so the same positions follow from their lengths.
 */
function chatText(message: Fields | undefined): { text: string; emotes: EmoteRange[] } | undefined {
  if (!message) return undefined;
  const text = typeof message['text'] === 'string' ? message['text'] : undefined;
  if (text === undefined) return undefined;
  const emotes: EmoteRange[] = [];
  const fragments = Array.isArray(message['fragments']) ? (message['fragments'] as unknown[]) : [];
  let position = 0;
  for (const item of fragments.slice(0, 1000)) {
    if (item === null || typeof item !== 'object') continue;
    const fragment = item as Fields;
    const length = [...(str(fragment, 'text') ?? '')].length;
    const emote = str(fragment, 'type') === 'emote' ? obj(fragment, 'emote') : undefined;
    const emoteId = emote ? str(emote, 'id') : undefined;
    if (emoteId && length > 0 && emotes.length < 500) {
      emotes.push({ id: emoteId.slice(0, 100), start: position, end: position + length - 1 });
    }
    position += length;
  }
  return { text: text.slice(0, 10_000), emotes };
}

function chatMessage(fields: Fields): Normalized {
  const identity = chatter(fields);
  const messageId = str(fields, 'message_id');
  if (!messageId) throw new MissingField('message_id');
  const content = chatText(obj(fields, 'message'));
  if (!content) throw new MissingField('message.text');
  const reply = obj(fields, 'reply');
  const replyTo = reply ? str(reply, 'parent_message_id') : undefined;
  const cheer = obj(fields, 'cheer');
  const bits = cheer ? num(cheer, 'bits') : undefined;
  const messageType = str(fields, 'message_type');
  return {
    // Same shape as a PRIVMSG (irc-normalize.ts): a cheer stays a chat message with its bits in details.
    type: KnownEventTypes.chatMessage,
    identity,
    message: {
      id: messageId.slice(0, 100),
      text: content.text,
      ...(content.emotes.length > 0 ? { emotes: content.emotes } : {}),
      ...(replyTo ? { replyTo: replyTo.slice(0, 100) } : {}),
    },
    details: {
      bits,
      cheer: bits !== undefined && bits > 0 ? true : undefined,
      months: chatBadges(fields).months,
      firstMessage: messageType === 'user_intro' ? true : undefined,
      rewardId: str(fields, 'channel_points_custom_reward_id'),
      color: str(fields, 'color'),
      messageType,
      replyParent: reply
        ? compact({
            messageId: replyTo,
            userId: str(reply, 'parent_user_id'),
            login: str(reply, 'parent_user_login'),
            displayName: str(reply, 'parent_user_name'),
            text: str(reply, 'parent_message_body'),
          })
        : undefined,
      threadParentId: reply ? str(reply, 'thread_message_id') : undefined,
    },
  };
}

/** EventSub's notice_type → the IRC msg-id of the same USERNOTICE, so `details.noticeKind` matches. */
const NOTICE_KIND: Record<string, string> = {
  sub: 'sub',
  resub: 'resub',
  sub_gift: 'subgift',
  community_sub_gift: 'submysterygift',
  gift_paid_upgrade: 'giftpaidupgrade',
  prime_paid_upgrade: 'primepaidupgrade',
  pay_it_forward: 'payforward',
  raid: 'raid',
  unraid: 'unraid',
  announcement: 'announcement',
  bits_badge_tier: 'bitsbadgetier',
  charity_donation: 'charitydonation',
};

function chatNotification(fields: Fields): Normalized {
  const noticeType = str(fields, 'notice_type');
  if (!noticeType) throw new MissingField('notice_type');
  // Shared chat repeats another channel's notice with a `shared_chat_` prefix and the same body.
  const baseType = noticeType.replace(/^shared_chat_/, '');
  const anonymous = bool(fields, 'chatter_is_anonymous') === true;
  const identity = anonymous ? { ...ANONYMOUS, roles: [] } : chatter(fields);
  const body = (key: string) => obj(fields, key) ?? obj(fields, `shared_chat_${key}`) ?? {};
  const content = chatText(obj(fields, 'message'));
  const common = {
    noticeKind: NOTICE_KIND[baseType] ?? baseType,
    systemMessage: str(fields, 'system_message'),
    sharedChat: baseType !== noticeType ? true : undefined,
  };
  let type: string;
  let details: Record<string, unknown>;
  if (baseType === 'sub' || baseType === 'resub') {
    const sub = body(baseType);
    const tier = str(sub, 'sub_tier');
    type = KnownEventTypes.sub;
    details = {
      ...common,
      months: num(sub, 'cumulative_months') ?? (baseType === 'sub' ? 1 : chatBadges(fields).months),
      streakMonths: num(sub, 'streak_months') ?? undefined,
      durationMonths: num(sub, 'duration_months'),
      plan: bool(sub, 'is_prime') === true ? 'Prime' : tier,
      tier: tierNumber(tier),
      prime: bool(sub, 'is_prime') === true ? true : undefined,
      isGift: bool(sub, 'is_gift'),
    };
  } else if (baseType === 'sub_gift') {
    const gift = body('sub_gift');
    type = KnownEventTypes.subGift;
    details = {
      ...common,
      anonymous: anonymous ? true : undefined,
      giftCount: 1,
      recipient: userSummary(userFrom(gift, 'recipient_')),
      giftMonths: num(gift, 'duration_months'),
      recipientMonths: num(gift, 'cumulative_months') ?? undefined,
      senderTotal: num(gift, 'cumulative_total') ?? undefined,
      plan: str(gift, 'sub_tier'),
      tier: tierNumber(str(gift, 'sub_tier')),
      communityGiftId: str(gift, 'community_gift_id'),
    };
  } else if (baseType === 'community_sub_gift') {
    const gift = body('community_sub_gift');
    type = KnownEventTypes.subGift;
    details = {
      ...common,
      anonymous: anonymous ? true : undefined,
      mystery: true,
      giftCount: num(gift, 'total'),
      senderTotal: num(gift, 'cumulative_total') ?? undefined,
      plan: str(gift, 'sub_tier'),
      tier: tierNumber(str(gift, 'sub_tier')),
      communityGiftId: str(gift, 'id'),
    };
  } else if (baseType === 'raid') {
    const raid = body('raid');
    const raider = userFrom(raid, '') ?? identity;
    type = KnownEventTypes.raid;
    details = { ...common, viewers: num(raid, 'viewer_count'), raider: userSummary(raider) };
  } else if (baseType === 'announcement') {
    type = KnownEventTypes.announcement;
    details = { ...common, color: str(body('announcement'), 'color') };
  } else {
    type = KnownEventTypes.notice;
    details = { ...common, source: 'usernotice' };
  }
  const messageId = str(fields, 'message_id');
  return {
    type,
    identity,
    details,
    ...(content && content.text !== ''
      ? {
          message: {
            ...(messageId ? { id: messageId.slice(0, 100) } : {}),
            text: content.text,
            ...(content.emotes.length > 0 ? { emotes: content.emotes } : {}),
          },
        }
      : {}),
  };
}

function hypeTrain(fields: Fields, phase: 'begin' | 'end'): Normalized {
  return {
    type: KnownEventTypes.hypeTrain,
    identity: broadcaster(fields),
    details: {
      phase,
      hypeTrainId: str(fields, 'id'),
      trainType: str(fields, 'type'),
      level: num(fields, 'level'),
      total: num(fields, 'total'),
      goal: num(fields, 'goal'),
      shared: bool(fields, 'is_shared_train'),
      startedAt: time(fields, 'started_at'),
      endedAt: time(fields, 'ended_at'),
    },
  };
}

function poll(fields: Fields, phase: 'begin' | 'end'): Normalized {
  return {
    type: KnownEventTypes.poll,
    identity: broadcaster(fields),
    details: {
      phase,
      pollId: str(fields, 'id'),
      title: str(fields, 'title'),
      choices: choices(fields['choices'], 'choices'),
      status: str(fields, 'status'),
      endsAt: time(fields, 'ends_at'),
      endedAt: time(fields, 'ended_at'),
    },
  };
}

function prediction(fields: Fields, phase: 'begin' | 'end'): Normalized {
  return {
    type: KnownEventTypes.prediction,
    identity: broadcaster(fields),
    details: {
      phase,
      predictionId: str(fields, 'id'),
      title: str(fields, 'title'),
      outcomes: choices(fields['outcomes'], 'outcomes'),
      winningOutcomeId: str(fields, 'winning_outcome_id'),
      status: str(fields, 'status'),
      locksAt: time(fields, 'locks_at'),
      endedAt: time(fields, 'ended_at'),
    },
  };
}

/** The EventSub subscription types this normalizer knows. */
export const NORMALIZED_EVENTSUB_TYPES: readonly string[] = Object.keys(HANDLERS);

export function normalizeEventSubNotification(notification: EventSubNotification): EventSubNormalizeResult {
  const { subscriptionType, messageId } = notification;
  const handler = HANDLERS[subscriptionType];
  if (!handler)
    return { ok: false, error: `unsupported EventSub subscription type: ${String(subscriptionType).slice(0, 80)}` };
  if (typeof messageId !== 'string' || messageId === '') return { ok: false, error: 'metadata.message_id: missing' };
  const fields = notification.event;
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    return { ok: false, error: `${subscriptionType}: payload.event is not an object` };
  }
  let normalized: Normalized;
  try {
    normalized = handler(fields as Fields);
  } catch (error) {
    if (error instanceof MissingField) return { ok: false, error: `${subscriptionType}: missing ${error.message}` };
    return { ok: false, error: `${subscriptionType}: ${error instanceof Error ? error.message : String(error)}` };
  }
  const channel = normalized.channelFrom ?? str(fields as Fields, 'broadcaster_user_login')?.toLowerCase() ?? undefined;
  if (!channel) return { ok: false, error: `${subscriptionType}: missing broadcaster_user_login` };
  const event: InboundEvent = {
    type: normalized.type,
    ingress: {
      // Chat is chat whichever path it came by: `twitch-chat`, so the same rules answer it in the same
      // channel (the source says it was EventSub).
      connector: subscriptionType.startsWith('channel.chat.') ? TWITCH_CHAT_CONNECTOR : TWITCH_EVENTSUB_CONNECTOR,
      source: 'twitch-eventsub',
      channel: channel.slice(0, 100),
    },
    identity: { external: normalized.identity },
    externalEvent: {
      kind: `eventsub.${subscriptionType}`.slice(0, 80),
      id: messageId.slice(0, 100),
      payload: fields,
    },
    details: compact({ ...normalized.details, subscriptionType, sentAt: notification.sentAt }),
  };
  if (normalized.message) event.message = normalized.message;
  return { ok: true, event };
}
