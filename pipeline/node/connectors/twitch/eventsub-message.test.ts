/**
 * Twitch's documented example payloads, one per supported EventSub type, wrapped in the WebSocket
 * notification message and normalized by the code the live connectors run: the facts land in the same
 * fields as on the IRC path. Malformed frames answer with the field named.
 */
import { describe, expect, it } from 'vitest';
import { acceptInbound } from '../../../core/envelope.js';
import { EVENTSUB_EXAMPLES, eventSubFrame } from '../../../../test/support/twitch-eventsub-examples.js';
import { normalizeEventSubFrame } from './eventsub-message.js';
import { NORMALIZED_EVENTSUB_TYPES } from './eventsub-normalize.js';
import { normalizeIrcLine } from './irc-normalize.js';

const cool = { id: '1234', login: 'cool_user', displayName: 'Cool_User' };
const broadcaster = { id: '1337', login: 'cooler_user', displayName: 'Cooler_User', roles: ['broadcaster'] };

/** Per type: the envelope type, the identity, and the facts that must be in `details` / `message`. */
const EXPECTED: Record<
  string,
  { type: string; identity: object; details?: object; message?: object; channel?: string }
> = {
  'channel.follow': { type: 'twitch.follow.v1', identity: cool },
  'channel.subscribe': { type: 'twitch.sub.v1', identity: cool, details: { tier: 1, plan: '1000', isGift: false } },
  'channel.subscription.gift': {
    type: 'twitch.subgift.v1',
    identity: cool,
    details: { giftCount: 2, senderTotal: 284, tier: 1 },
  },
  'channel.subscription.message': {
    type: 'twitch.resub.v1',
    identity: cool,
    details: { months: 15, streakMonths: 1, durationMonths: 6 },
    message: { text: 'Love the stream! FevziGG', emotes: [{ id: '302976485', start: 23, end: 30 }] },
  },
  'channel.cheer': { type: 'twitch.cheer.v1', identity: cool, details: { bits: 1000 }, message: { text: 'pogchamp' } },
  'channel.raid': {
    type: 'twitch.raid.v1',
    identity: cool,
    details: { viewers: 9001, raider: cool },
  },
  'channel.channel_points_custom_reward_redemption.add': {
    type: 'twitch.redemption.v1',
    identity: cool,
    details: { rewardId: '92af127c-7326-4483-a52b-b0da0be61c01', input: 'pogchamp', rewardCost: 100 },
    message: { text: 'pogchamp' },
  },
  'stream.online': { type: 'twitch.stream.online.v1', identity: broadcaster, details: { streamId: '9001' } },
  'stream.offline': { type: 'twitch.stream.offline.v1', identity: broadcaster },
  'channel.ban': {
    type: 'moderation.action.v1',
    identity: { id: '1339', login: 'mod_user' },
    details: { action: 'ban', targetUserId: '1234', targetLogin: 'cool_user', durationSeconds: 60, permanent: false },
  },
  'channel.unban': {
    type: 'moderation.action.v1',
    identity: { id: '1339', login: 'mod_user' },
    details: { action: 'unban', targetUserId: '1234' },
  },
  'channel.hype_train.begin': {
    type: 'twitch.hypetrain.v1',
    identity: broadcaster,
    details: { phase: 'begin', level: 2 },
  },
  'channel.hype_train.end': {
    type: 'twitch.hypetrain.v1',
    identity: broadcaster,
    details: { phase: 'end', total: 137 },
  },
  'channel.poll.begin': {
    type: 'twitch.poll.v1',
    identity: broadcaster,
    details: { phase: 'begin', pollId: '1243456' },
  },
  'channel.poll.end': { type: 'twitch.poll.v1', identity: broadcaster, details: { phase: 'end', status: 'completed' } },
  'channel.prediction.begin': { type: 'twitch.prediction.v1', identity: broadcaster, details: { phase: 'begin' } },
  'channel.prediction.end': {
    type: 'twitch.prediction.v1',
    identity: broadcaster,
    details: { phase: 'end', winningOutcomeId: '12345' },
  },
  'channel.chat.message': {
    type: 'chat.message.v1',
    channel: 'streamer',
    identity: {
      id: '4145994',
      login: 'viewer32',
      displayName: 'viewer32',
      roles: ['moderator', 'subscriber'],
      badges: { moderator: '1', subscriber: '12', 'sub-gifter': '1' },
    },
    message: { id: 'cc106a89-1814-919d-454c-f4f2f970aae7', text: 'Hi chat' },
    details: { months: 16, color: '#00FF7F' },
  },
  'channel.chat.notification': {
    type: 'twitch.sub.v1',
    channel: 'streamer',
    identity: { id: '49912639', login: 'viewer23', displayName: 'viewer23' },
    details: { noticeKind: 'resub', months: 10, plan: '1000' },
  },
  'channel.chat.message_delete': {
    type: 'moderation.action.v1',
    channel: 'blahblah',
    identity: { id: '1337', login: 'blahblah' },
    details: {
      action: 'delete',
      targetMessageId: 'ab24e0b0-2260-4bac-94e4-05eedd4ecd0e',
      targetLogin: 'uncool_viewer',
    },
  },
  'channel.chat.clear_user_messages': {
    type: 'moderation.action.v1',
    channel: 'blahblah',
    identity: { id: '1337', login: 'blahblah' },
    details: { action: 'clear-user', targetUserId: '7734', targetLogin: 'uncool_viewer' },
  },
};

describe('EventSub notification messages (replay --format eventsub and the live connectors)', () => {
  it('has a documented example for every supported subscription type', () => {
    expect(Object.keys(EVENTSUB_EXAMPLES).sort()).toEqual([...NORMALIZED_EVENTSUB_TYPES].sort());
    expect(Object.keys(EXPECTED).sort()).toEqual([...NORMALIZED_EVENTSUB_TYPES].sort());
  });

  it.each(Object.keys(EXPECTED))('normalizes Twitch’s example %s', (type) => {
    const frame = eventSubFrame(type, undefined, { messageId: `m-${type}` });
    const result = normalizeEventSubFrame(JSON.stringify(frame));
    if (!result.ok) throw new Error(result.error);
    const expected = EXPECTED[type]!;
    expect(result.event.type).toBe(expected.type);
    expect(result.event.ingress).toMatchObject({
      connector: type.startsWith('channel.chat.') ? 'twitch-chat' : 'twitch-eventsub',
      source: 'twitch-eventsub',
      channel: expected.channel ?? 'cooler_user',
    });
    expect(result.event.identity.external).toMatchObject({ platform: 'twitch', ...expected.identity });
    if (expected.details) expect(result.event.details).toMatchObject(expected.details);
    if (expected.message) expect(result.event.message).toMatchObject(expected.message);
    expect(result.event.externalEvent).toMatchObject({ kind: `eventsub.${type}`, id: `m-${type}` });
    expect(result.event.details).toMatchObject({
      subscriptionType: type,
      sentAt: Date.parse('2023-07-19T10:11:12.634Z'),
    });
    expect(acceptInbound(result.event, 0, () => '00000000-0000-4000-8000-000000000000').ok).toBe(true);
  });

  it('puts a chat message’s facts in the same fields as the IRC path', () => {
    const irc = normalizeIrcLine(
      '@badge-info=subscriber/16;badges=moderator/1,subscriber/12,sub-gifter/1;bits=100;color=#00FF7F;display-name=viewer32;' +
        'emotes=25:9-13;id=cc106a89-1814-919d-454c-f4f2f970aae7;mod=1;reply-parent-msg-id=p-1;reply-parent-user-id=7;' +
        'reply-parent-user-login=ann;reply-parent-display-name=Ann;reply-parent-msg-body=hey;room-id=1971641;' +
        'subscriber=1;user-id=4145994 :viewer32!viewer32@viewer32.tmi.twitch.tv PRIVMSG #streamer :Cheer100 Kappa',
    );
    const base = EVENTSUB_EXAMPLES['channel.chat.message']!.event;
    const eventsub = normalizeEventSubFrame(
      eventSubFrame('channel.chat.message', {
        ...base,
        message: {
          text: 'Cheer100 Kappa',
          fragments: [
            { type: 'cheermote', text: 'Cheer100', cheermote: { prefix: 'cheer', bits: 100, tier: 1 } },
            { type: 'text', text: ' ' },
            { type: 'emote', text: 'Kappa', emote: { id: '25', emote_set_id: '0' } },
          ],
        },
        cheer: { bits: 100 },
        reply: {
          parent_message_id: 'p-1',
          parent_message_body: 'hey',
          parent_user_id: '7',
          parent_user_name: 'Ann',
          parent_user_login: 'ann',
          thread_message_id: 'p-1',
          thread_user_id: '7',
          thread_user_name: 'Ann',
          thread_user_login: 'ann',
        },
      }),
    );
    if (!irc.ok || !eventsub.ok) throw new Error('both must normalize');
    expect(eventsub.event.type).toBe(irc.event.type);
    expect(eventsub.event.ingress.channel).toBe(irc.event.ingress.channel);
    expect(eventsub.event.ingress.connector).toBe(irc.event.ingress.connector);
    expect(eventsub.event.identity).toEqual(irc.event.identity);
    expect(eventsub.event.message).toEqual(irc.event.message);
    const facts = ['bits', 'cheer', 'months', 'color', 'replyParent'] as const;
    const pick = (details: Record<string, unknown> | undefined) =>
      Object.fromEntries(facts.map((key) => [key, details?.[key]]));
    expect(pick(eventsub.event.details)).toEqual(pick(irc.event.details));
    expect(eventsub.event.details?.['threadParentId']).toBe('p-1');
  });

  it('normalizes the chat notices (gifts, raids, announcements) like the IRC USERNOTICE', () => {
    const base = EVENTSUB_EXAMPLES['channel.chat.notification']!.event;
    const notice = (fields: Record<string, unknown>) => {
      const result = normalizeEventSubFrame(eventSubFrame('channel.chat.notification', { ...base, ...fields }));
      if (!result.ok) throw new Error(result.error);
      return result.event;
    };
    const gift = notice({
      notice_type: 'community_sub_gift',
      resub: null,
      chatter_is_anonymous: true,
      community_sub_gift: { id: 'g-1', total: 5, sub_tier: '1000', cumulative_total: null },
    });
    expect(gift.type).toBe('twitch.subgift.v1');
    expect(gift.identity.external.login).toBe('ananonymousgifter');
    expect(gift.details).toMatchObject({ noticeKind: 'submysterygift', giftCount: 5, mystery: true, anonymous: true });
    const raid = notice({
      notice_type: 'raid',
      resub: null,
      raid: { user_id: '77', user_login: 'raider', user_name: 'Raider', viewer_count: 42, profile_image_url: '' },
    });
    expect(raid.type).toBe('twitch.raid.v1');
    expect(raid.details).toMatchObject({ viewers: 42, raider: { id: '77', login: 'raider', displayName: 'Raider' } });
    const announcement = notice({
      notice_type: 'announcement',
      resub: null,
      message: { text: 'Go follow!', fragments: [{ type: 'text', text: 'Go follow!' }] },
      announcement: { color: 'PURPLE' },
    });
    expect(announcement.type).toBe('twitch.announcement.v1');
    expect(announcement.message?.text).toBe('Go follow!');
    expect(announcement.details).toMatchObject({ color: 'PURPLE' });
  });

  it('answers a malformed frame with the field named', () => {
    const good = eventSubFrame('channel.chat.message');
    const cases: Array<[unknown, RegExp]> = [
      ['{not json', /not valid JSON/],
      [
        { ...good, metadata: { ...(good['metadata'] as object), message_type: 'session_keepalive' } },
        /metadata\.message_type/,
      ],
      [{ ...good, metadata: { ...(good['metadata'] as object), message_id: '' } }, /metadata\.message_id/],
      [{ metadata: good['metadata'] }, /payload/],
      [{ ...good, payload: { ...(good['payload'] as object), event: 'text' } }, /payload\.event/],
      [
        eventSubFrame('channel.chat.message', {
          ...EVENTSUB_EXAMPLES['channel.chat.message']!.event,
          chatter_user_id: null,
        }),
        /chatter_user_id/,
      ],
      [
        eventSubFrame('channel.chat.message', { ...EVENTSUB_EXAMPLES['channel.chat.message']!.event, message: null }),
        /message\.text/,
      ],
      [
        eventSubFrame('channel.chat.notification', {
          ...EVENTSUB_EXAMPLES['channel.chat.notification']!.event,
          notice_type: 3,
        }),
        /notice_type/,
      ],
      [
        eventSubFrame('channel.chat.message_delete', { broadcaster_user_id: '1', broadcaster_user_login: 'x' }),
        /message_id/,
      ],
      [
        {
          ...good,
          payload: { ...(good['payload'] as object), subscription: { type: 'channel.follow' } },
        },
        /payload\.subscription\.type/,
      ],
    ];
    for (const [frame, error] of cases) {
      const result = normalizeEventSubFrame(typeof frame === 'string' ? frame : JSON.stringify(frame));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(error);
    }
  });
});
