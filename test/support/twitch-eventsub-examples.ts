/**
 * The example `event` payloads of Twitch's EventSub reference
 * (https://dev.twitch.tv/docs/eventsub/eventsub-reference/ and /reference/chat/), one per subscription
 * type BitBrat supports, with the values the reference uses (cool_user 1234 in cooler_user's 1337
 * channel). `eventSubFrame` wraps one in the WebSocket `notification` message Twitch sends around it.
 */
import { randomUUID } from 'node:crypto';

const broadcaster = {
  broadcaster_user_id: '1337',
  broadcaster_user_login: 'cooler_user',
  broadcaster_user_name: 'Cooler_User',
};
const user = { user_id: '1234', user_login: 'cool_user', user_name: 'Cool_User' };

export const EVENTSUB_EXAMPLES: Record<string, { version: string; event: Record<string, unknown> }> = {
  'channel.follow': { version: '2', event: { ...user, ...broadcaster, followed_at: '2020-07-15T18:16:11.17106713Z' } },
  'channel.subscribe': { version: '1', event: { ...user, ...broadcaster, tier: '1000', is_gift: false } },
  'channel.subscription.gift': {
    version: '1',
    event: { ...user, ...broadcaster, total: 2, tier: '1000', cumulative_total: 284, is_anonymous: false },
  },
  'channel.subscription.message': {
    version: '1',
    event: {
      ...user,
      ...broadcaster,
      tier: '1000',
      message: { text: 'Love the stream! FevziGG', emotes: [{ begin: 23, end: 30, id: '302976485' }] },
      cumulative_months: 15,
      streak_months: 1,
      duration_months: 6,
    },
  },
  'channel.cheer': {
    version: '1',
    event: { is_anonymous: false, ...user, ...broadcaster, message: 'pogchamp', bits: 1000 },
  },
  'channel.raid': {
    version: '1',
    event: {
      from_broadcaster_user_id: '1234',
      from_broadcaster_user_login: 'cool_user',
      from_broadcaster_user_name: 'Cool_User',
      to_broadcaster_user_id: '1337',
      to_broadcaster_user_login: 'cooler_user',
      to_broadcaster_user_name: 'Cooler_User',
      viewers: 9001,
    },
  },
  'channel.channel_points_custom_reward_redemption.add': {
    version: '1',
    event: {
      id: '17fa2df1-ad76-4804-bfa5-a40ef63efe63',
      ...broadcaster,
      ...user,
      user_input: 'pogchamp',
      status: 'unfulfilled',
      reward: { id: '92af127c-7326-4483-a52b-b0da0be61c01', title: 'title', cost: 100, prompt: 'reward prompt' },
      redeemed_at: '2020-07-15T17:16:03.17106713Z',
    },
  },
  'stream.online': {
    version: '1',
    event: { id: '9001', ...broadcaster, type: 'live', started_at: '2020-10-11T10:11:12.123Z' },
  },
  'stream.offline': { version: '1', event: { ...broadcaster } },
  'channel.ban': {
    version: '1',
    event: {
      ...user,
      ...broadcaster,
      moderator_user_id: '1339',
      moderator_user_login: 'mod_user',
      moderator_user_name: 'Mod_User',
      reason: 'Offensive language',
      banned_at: '2020-07-15T18:15:11.17106713Z',
      ends_at: '2020-07-15T18:16:11.17106713Z',
      is_permanent: false,
    },
  },
  'channel.unban': {
    version: '1',
    event: {
      ...user,
      ...broadcaster,
      moderator_user_id: '1339',
      moderator_user_login: 'mod_user',
      moderator_user_name: 'Mod_User',
    },
  },
  'channel.hype_train.begin': {
    version: '2',
    event: {
      id: '1b0AsbInCHZW2SQFQkCzqN07Ib2',
      ...broadcaster,
      total: 137,
      progress: 137,
      goal: 500,
      top_contributions: [{ ...user, type: 'bits', total: 50 }],
      level: 2,
      all_time_high_level: 4,
      all_time_high_total: 2845,
      shared_train_participants: null,
      started_at: '2020-07-15T17:16:03.17106713Z',
      expires_at: '2020-07-15T17:16:11.17106713Z',
      type: 'regular',
      is_shared_train: false,
    },
  },
  'channel.hype_train.end': {
    version: '2',
    event: {
      id: '1b0AsbInCHZW2SQFQkCzqN07Ib2',
      ...broadcaster,
      level: 2,
      total: 137,
      top_contributions: [{ ...user, type: 'bits', total: 50 }],
      shared_train_participants: null,
      started_at: '2020-07-15T17:16:03.17106713Z',
      ended_at: '2020-07-15T17:16:11.17106713Z',
      cooldown_ends_at: '2020-07-15T18:16:11.17106713Z',
      type: 'regular',
      is_shared_train: false,
    },
  },
  'channel.poll.begin': {
    version: '1',
    event: {
      id: '1243456',
      ...broadcaster,
      title: 'Aren’t shoes just really hard socks?',
      choices: [
        { id: '123', title: 'Yeah!' },
        { id: '124', title: 'No!' },
        { id: '125', title: 'Maybe!' },
      ],
      bits_voting: { is_enabled: true, amount_per_vote: 10 },
      channel_points_voting: { is_enabled: true, amount_per_vote: 10 },
      started_at: '2020-07-15T17:16:03.17106713Z',
      ends_at: '2020-07-15T17:16:08.17106713Z',
    },
  },
  'channel.poll.end': {
    version: '1',
    event: {
      id: '1243456',
      ...broadcaster,
      title: 'Aren’t shoes just really hard socks?',
      choices: [
        { id: '123', title: 'Blue', bits_votes: 50, channel_points_votes: 70, votes: 120 },
        { id: '124', title: 'Yellow', bits_votes: 100, channel_points_votes: 40, votes: 140 },
        { id: '125', title: 'Green', bits_votes: 10, channel_points_votes: 70, votes: 80 },
      ],
      bits_voting: { is_enabled: true, amount_per_vote: 10 },
      channel_points_voting: { is_enabled: true, amount_per_vote: 10 },
      status: 'completed',
      started_at: '2020-07-15T17:16:03.17106713Z',
      ended_at: '2020-07-15T17:16:11.17106713Z',
    },
  },
  'channel.prediction.begin': {
    version: '1',
    event: {
      id: '1243456',
      ...broadcaster,
      title: 'Aren’t shoes just really hard socks?',
      outcomes: [
        { id: '1243456', title: 'Yeah!', color: 'blue' },
        { id: '2243456', title: 'No!', color: 'pink' },
      ],
      started_at: '2020-07-15T17:16:03.17106713Z',
      locks_at: '2020-07-15T17:21:03.17106713Z',
    },
  },
  'channel.prediction.end': {
    version: '1',
    event: {
      id: '1243456',
      ...broadcaster,
      title: 'Aren’t shoes just really hard socks?',
      winning_outcome_id: '12345',
      outcomes: [
        { id: '12345', title: 'Yeah!', color: 'blue', users: 2, channel_points: 15000, top_predictors: [] },
        { id: '22435', title: 'No!', users: 2, channel_points: 200, color: 'pink', top_predictors: [] },
      ],
      status: 'resolved',
      started_at: '2020-07-15T17:16:03.17106713Z',
      ended_at: '2020-07-15T17:16:11.17106713Z',
    },
  },
  'channel.chat.message': {
    version: '1',
    event: {
      broadcaster_user_id: '1971641',
      broadcaster_user_login: 'streamer',
      broadcaster_user_name: 'streamer',
      chatter_user_id: '4145994',
      chatter_user_login: 'viewer32',
      chatter_user_name: 'viewer32',
      message_id: 'cc106a89-1814-919d-454c-f4f2f970aae7',
      message: {
        text: 'Hi chat',
        fragments: [{ type: 'text', text: 'Hi chat', cheermote: null, emote: null, mention: null }],
      },
      color: '#00FF7F',
      badges: [
        { set_id: 'moderator', id: '1', info: '' },
        { set_id: 'subscriber', id: '12', info: '16' },
        { set_id: 'sub-gifter', id: '1', info: '' },
      ],
      message_type: 'text',
      cheer: null,
      reply: null,
      channel_points_custom_reward_id: null,
      source_broadcaster_user_id: null,
      source_broadcaster_user_login: null,
      source_broadcaster_user_name: null,
      source_message_id: null,
      source_badges: null,
    },
  },
  'channel.chat.notification': {
    version: '1',
    event: {
      broadcaster_user_id: '1971641',
      broadcaster_user_login: 'streamer',
      broadcaster_user_name: 'streamer',
      chatter_user_id: '49912639',
      chatter_user_login: 'viewer23',
      chatter_user_name: 'viewer23',
      chatter_is_anonymous: false,
      color: '',
      badges: [],
      system_message: "viewer23 subscribed at Tier 1. They've subscribed for 10 months!",
      message_id: 'd62235c8-47ff-a4f4--84e8-5a29a65a9c03',
      message: { text: '', fragments: [] },
      notice_type: 'resub',
      sub: null,
      resub: {
        cumulative_months: 10,
        duration_months: 0,
        streak_months: null,
        sub_tier: '1000',
        is_prime: false,
        is_gift: false,
        gifter_is_anonymous: null,
        gifter_user_id: null,
        gifter_user_name: null,
        gifter_user_login: null,
      },
      sub_gift: null,
      community_sub_gift: null,
      gift_paid_upgrade: null,
      prime_paid_upgrade: null,
      pay_it_forward: null,
      raid: null,
      unraid: null,
      announcement: null,
      bits_badge_tier: null,
      charity_donation: null,
    },
  },
  'channel.chat.message_delete': {
    version: '1',
    event: {
      broadcaster_user_id: '1337',
      broadcaster_user_name: 'blah',
      broadcaster_user_login: 'blahblah',
      target_user_id: '7734',
      target_user_name: 'Uncool_viewer',
      target_user_login: 'uncool_viewer',
      message_id: 'ab24e0b0-2260-4bac-94e4-05eedd4ecd0e',
    },
  },
  'channel.chat.clear_user_messages': {
    version: '1',
    event: {
      broadcaster_user_id: '1337',
      broadcaster_user_name: 'blah',
      broadcaster_user_login: 'blahblah',
      target_user_id: '7734',
      target_user_name: 'Uncool_viewer',
      target_user_login: 'uncool_viewer',
    },
  },
};

/** One WebSocket `notification` message as Twitch sends it, around an example (or any) event. */
export function eventSubFrame(
  type: string,
  event: Record<string, unknown> = EVENTSUB_EXAMPLES[type]!.event,
  options: { messageId?: string; version?: string } = {},
): Record<string, unknown> {
  const version = options.version ?? EVENTSUB_EXAMPLES[type]?.version ?? '1';
  return {
    metadata: {
      message_id: options.messageId ?? randomUUID(),
      message_type: 'notification',
      message_timestamp: '2023-07-19T10:11:12.634234626Z',
      subscription_type: type,
      subscription_version: version,
    },
    payload: {
      subscription: {
        id: 'f1c2a387-161a-49f9-a165-0f21d7a4e1c4',
        status: 'enabled',
        type,
        version,
        cost: 0,
        condition: {
          broadcaster_user_id: String(event['broadcaster_user_id'] ?? event['to_broadcaster_user_id'] ?? ''),
        },
        transport: { method: 'websocket', session_id: 'AQoQexAWVYKSTIu4ec_2VAxyuhAB' },
        created_at: '2023-07-19T14:56:51.634234626Z',
      },
      event,
    },
  };
}
