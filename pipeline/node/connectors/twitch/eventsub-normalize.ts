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
import type { InboundEvent } from '../../../core/envelope.js';

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
    type: 'twitch.follow.v1',
    identity: requireUser(fields, ''),
    details: { followedAt: time(fields, 'followed_at') },
  }),
  'channel.subscribe': (fields) => ({
    type: 'twitch.sub.v1',
    identity: requireUser(fields, ''),
    details: { tier: tierNumber(str(fields, 'tier')), plan: str(fields, 'tier'), isGift: bool(fields, 'is_gift') },
  }),
  'channel.subscription.gift': (fields) => {
    const anonymous = bool(fields, 'is_anonymous') === true || !str(fields, 'user_id');
    return {
      type: 'twitch.subgift.v1',
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
      type: 'twitch.resub.v1',
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
      type: 'twitch.cheer.v1',
      identity: anonymous ? { ...ANONYMOUS, roles: [] } : requireUser(fields, ''),
      details: { bits, anonymous: anonymous ? true : undefined },
      ...(text ? { message: { text: text.slice(0, 10_000) } } : {}),
    };
  },
  'channel.raid': (fields) => {
    const raider = requireUser(fields, 'from_broadcaster_');
    const target = userFrom(fields, 'to_broadcaster_');
    return {
      type: 'twitch.raid.v1',
      identity: raider,
      details: { viewers: num(fields, 'viewers'), raider: userSummary(raider) },
      ...(target ? { channelFrom: target.login } : {}),
    };
  },
  'channel.channel_points_custom_reward_redemption.add': (fields) => {
    const reward = obj(fields, 'reward') ?? {};
    const input = str(fields, 'user_input');
    return {
      type: 'twitch.redemption.v1',
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
    type: 'twitch.stream.online.v1',
    identity: broadcaster(fields),
    details: { streamId: str(fields, 'id'), streamType: str(fields, 'type'), startedAt: time(fields, 'started_at') },
  }),
  'stream.offline': (fields) => ({
    type: 'twitch.stream.offline.v1',
    identity: broadcaster(fields),
    details: {},
  }),
  'channel.ban': (fields) => {
    const target = requireUser(fields, '');
    const permanent = bool(fields, 'is_permanent') === true;
    const bannedAt = time(fields, 'banned_at');
    const endsAt = time(fields, 'ends_at');
    return {
      type: 'moderation.action.v1',
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
      type: 'moderation.action.v1',
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
};

function hypeTrain(fields: Fields, phase: 'begin' | 'end'): Normalized {
  return {
    type: 'twitch.hypetrain.v1',
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
    type: 'twitch.poll.v1',
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
    type: 'twitch.prediction.v1',
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
      connector: TWITCH_EVENTSUB_CONNECTOR,
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
