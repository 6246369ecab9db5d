import { describe, expect, it } from 'vitest';
import { InboundEventSchema, type InboundEvent } from '../../../core/envelope.js';
import { normalizeIrcLine, normalizeIrcMessage, type IrcNormalizeResult } from './irc-normalize.js';
import { parseEmotes, unescapeTagValue } from './irc-tags.js';

// Lines written from the tag sets documented at https://dev.twitch.tv/docs/chat/irc/ and /irc-tags/.
const PRIVMSG =
  '@badge-info=subscriber/14;badges=moderator/1,subscriber/12,glhf-pledge/1;color=#1E90FF;display-name=RonniTheRat;' +
  'emotes=25:0-4,12-16/1902:6-10;first-msg=0;flags=;id=b34ccfc7-4977-403a-8a94-33c6bac34fb8;mod=1;' +
  'returning-chatter=0;room-id=1337;subscriber=1;tmi-sent-ts=1507246572675;turbo=0;user-id=9876;user-type=mod;' +
  'x-future-tag=hello\\sworld :ronnitherat!ronnitherat@ronnitherat.tmi.twitch.tv PRIVMSG #dallas :Kappa Keepo Kappa';

function event(result: IrcNormalizeResult): InboundEvent {
  if (!result.ok) throw new Error(`expected an event, got: ${result.error}`);
  const parsed = InboundEventSchema.safeParse(result.event);
  if (!parsed.success) throw new Error(`event does not pass the inbound schema: ${parsed.error.message}`);
  return result.event;
}

describe('normalizeIrcLine: PRIVMSG', () => {
  it('puts identity, message, emotes and facts in their fixed places', () => {
    const e = event(normalizeIrcLine(PRIVMSG));
    expect(e.type).toBe('chat.message.v1');
    expect(e.ingress).toEqual({ connector: 'twitch-chat', source: 'twitch-irc', channel: 'dallas' });
    expect(e.identity.external).toEqual({
      id: '9876',
      platform: 'twitch',
      login: 'ronnitherat',
      displayName: 'RonniTheRat',
      roles: ['moderator', 'subscriber'],
      badges: { moderator: '1', subscriber: '12', 'glhf-pledge': '1' },
    });
    expect(e.message).toEqual({
      id: 'b34ccfc7-4977-403a-8a94-33c6bac34fb8',
      text: 'Kappa Keepo Kappa',
      emotes: [
        { id: '25', start: 0, end: 4 },
        { id: '1902', start: 6, end: 10 },
        { id: '25', start: 12, end: 16 },
      ],
    });
    expect(e.details).toMatchObject({ months: 14, sentAt: 1507246572675, color: '#1E90FF' });
    expect(e.details).not.toHaveProperty('firstMessage');
    // Unknown tags survive, unescaped, in the raw payload.
    expect(e.externalEvent?.id).toBe('b34ccfc7-4977-403a-8a94-33c6bac34fb8');
    expect((e.externalEvent?.payload as { tags: Record<string, string> }).tags['x-future-tag']).toBe('hello world');
  });

  it('reads bits, first message, reward id, reply parent and broadcaster/vip/founder roles', () => {
    const line =
      '@badge-info=founder/3;badges=broadcaster/1,vip/1,founder/0;bits=100;custom-reward-id=abc-123;' +
      'display-name=Streamer;first-msg=1;id=m-1;reply-parent-display-name=Other;reply-parent-msg-body=hi\\sthere;' +
      'reply-parent-msg-id=parent-9;reply-parent-user-id=55;reply-parent-user-login=other;room-id=1;' +
      'tmi-sent-ts=1700000000000;user-id=1 :streamer!streamer@streamer.tmi.twitch.tv PRIVMSG #streamer :cheer100 nice';
    const e = event(normalizeIrcLine(line));
    expect(e.type).toBe('chat.message.v1');
    expect(e.identity.external.roles).toEqual(['broadcaster', 'vip', 'founder']);
    expect(e.message?.replyTo).toBe('parent-9');
    expect(e.details).toMatchObject({
      bits: 100,
      cheer: true,
      firstMessage: true,
      rewardId: 'abc-123',
      months: 3,
      replyParent: { messageId: 'parent-9', userId: '55', login: 'other', displayName: 'Other', text: 'hi there' },
    });
  });

  it('unescapes tag values per IRCv3 and reads /me actions', () => {
    const line =
      '@display-name=Semi\\:colon\\sand\\\\slash;id=x;user-id=7;reply-parent-msg-body=line\\rone\\ntwo\\x;' +
      'reply-parent-msg-id=p :semi!semi@semi.tmi.twitch.tv PRIVMSG #chan :\u0001ACTION waves\u0001';
    const e = event(normalizeIrcLine(line));
    expect(e.identity.external.displayName).toBe('Semi;colon and\\slash');
    expect((e.details?.['replyParent'] as { text: string }).text).toBe('line\rone\ntwox');
    expect(e.message?.text).toBe('waves');
    expect(e.details?.['action']).toBe(true);
    expect(unescapeTagValue('trailing\\')).toBe('trailing');
  });

  it('keeps emoji and CJK display names and text intact', () => {
    const line =
      '@display-name=小明;id=cjk-1;user-id=88;emotes= :xiaoming!xiaoming@xiaoming.tmi.twitch.tv PRIVMSG #chan :你好 🎉🎉 こんにちは';
    const e = event(normalizeIrcLine(line));
    expect(e.identity.external.displayName).toBe('小明');
    expect(e.identity.external.login).toBe('xiaoming');
    expect(e.message?.text).toBe('你好 🎉🎉 こんにちは');
    expect(e.message?.emotes).toBeUndefined();
    const emoji = event(
      normalizeIrcLine('@display-name=🦀Crab;id=e;user-id=9 :crab!crab@crab.tmi.twitch.tv PRIVMSG #chan :🦀'),
    );
    expect(emoji.identity.external.displayName).toBe('🦀Crab');
  });

  it('accepts a 9,000-character line whole', () => {
    const text = 'word '.repeat(1800).trim();
    const e = event(normalizeIrcLine(`@id=long;user-id=3;display-name=L :l!l@l.tmi.twitch.tv PRIVMSG #chan :${text}`));
    expect(e.message?.text).toBe(text);
    expect(e.message?.text.length).toBeGreaterThan(8990);
  });

  it('normalizes the raw_message object tmi.js emits exactly like the line', () => {
    const parsedByHand = {
      raw: PRIVMSG,
      tags: { id: 'abc', 'user-id': '5', 'display-name': 'Hand\\sMade', emotes: true as const },
      prefix: 'hand!hand@hand.tmi.twitch.tv',
      command: 'PRIVMSG',
      params: ['#chan', 'hello'],
    };
    const e = event(normalizeIrcMessage(parsedByHand));
    expect(e.identity.external.displayName).toBe('Hand Made');
    expect(e.message).toEqual({ id: 'abc', text: 'hello' });
  });
});

describe('normalizeIrcLine: USERNOTICE', () => {
  const user = 'badges=subscriber/0;display-name=Gifter;login=gifter;room-id=1;user-id=42;tmi-sent-ts=1';
  it('sub and resub → twitch.sub.v1 with months and the user message', () => {
    const resub = event(
      normalizeIrcLine(
        `@badge-info=subscriber/5;${user};id=r1;msg-id=resub;msg-param-cumulative-months=6;msg-param-should-share-streak=1;` +
          'msg-param-streak-months=2;msg-param-sub-plan=1000;msg-param-sub-plan-name=Channel\\sSub;' +
          'system-msg=gifter\\ssubscribed\\sat\\sTier\\s1. :tmi.twitch.tv USERNOTICE #chan :Great stream!',
      ),
    );
    expect(resub.type).toBe('twitch.sub.v1');
    expect(resub.identity.external.login).toBe('gifter');
    expect(resub.message?.text).toBe('Great stream!');
    expect(resub.details).toMatchObject({
      noticeKind: 'resub',
      months: 6,
      streakMonths: 2,
      plan: '1000',
      planName: 'Channel Sub',
      systemMessage: 'gifter subscribed at Tier 1.',
    });
    const sub = event(
      normalizeIrcLine(
        `@${user};id=s1;msg-id=sub;msg-param-cumulative-months=1;msg-param-sub-plan=Prime :tmi.twitch.tv USERNOTICE #chan`,
      ),
    );
    expect(sub.type).toBe('twitch.sub.v1');
    expect(sub.message).toBeUndefined();
    expect(sub.details).toMatchObject({ noticeKind: 'sub', months: 1, prime: true });
  });

  it('subgift and submysterygift → twitch.subgift.v1 with recipient and gift count', () => {
    const gift = event(
      normalizeIrcLine(
        `@${user};id=g1;msg-id=subgift;msg-param-months=3;msg-param-recipient-display-name=Lucky\\sOne;` +
          'msg-param-recipient-id=777;msg-param-recipient-user-name=luckyone;msg-param-sub-plan=1000;' +
          'msg-param-gift-months=1 :tmi.twitch.tv USERNOTICE #chan',
      ),
    );
    expect(gift.type).toBe('twitch.subgift.v1');
    expect(gift.details).toMatchObject({
      giftCount: 1,
      recipient: { id: '777', login: 'luckyone', displayName: 'Lucky One' },
      recipientMonths: 3,
    });
    const mystery = event(
      normalizeIrcLine(
        '@display-name=AnAnonymousGifter;login=ananonymousgifter;user-id=274598607;id=g2;msg-id=submysterygift;' +
          'msg-param-mass-gift-count=50;msg-param-sub-plan=2000 :tmi.twitch.tv USERNOTICE #chan',
      ),
    );
    expect(mystery.type).toBe('twitch.subgift.v1');
    expect(mystery.details).toMatchObject({ giftCount: 50, mystery: true, anonymous: true, plan: '2000' });
  });

  it('raid → twitch.raid.v1 with viewers; announcement → twitch.announcement.v1', () => {
    const raid = event(
      normalizeIrcLine(
        '@display-name=Raider;login=raider;user-id=100;id=rd;msg-id=raid;msg-param-displayName=Raider;' +
          'msg-param-login=raider;msg-param-viewerCount=1234 :tmi.twitch.tv USERNOTICE #chan',
      ),
    );
    expect(raid.type).toBe('twitch.raid.v1');
    expect(raid.details).toMatchObject({
      viewers: 1234,
      raider: { id: '100', login: 'raider', displayName: 'Raider' },
    });
    const announcement = event(
      normalizeIrcLine(
        `@${user};id=an;msg-id=announcement;msg-param-color=PRIMARY :tmi.twitch.tv USERNOTICE #chan :Hear ye`,
      ),
    );
    expect(announcement.type).toBe('twitch.announcement.v1');
    expect(announcement.message?.text).toBe('Hear ye');
    expect(announcement.details).toMatchObject({ color: 'PRIMARY' });
  });

  it('keeps unknown msg-ids as twitch.notice.v1 with their tags in the raw payload', () => {
    const e = event(
      normalizeIrcLine(
        `@${user};id=u1;msg-id=viewermilestone;msg-param-category=watch-streak;msg-param-value=7 :tmi.twitch.tv USERNOTICE #chan`,
      ),
    );
    expect(e.type).toBe('twitch.notice.v1');
    expect(e.details).toMatchObject({ noticeKind: 'viewermilestone', source: 'usernotice' });
    expect(e.externalEvent?.kind).toBe('irc.usernotice.viewermilestone');
    expect((e.externalEvent?.payload as { tags: Record<string, string> }).tags['msg-param-value']).toBe('7');
  });
});

describe('normalizeIrcLine: moderation and notices', () => {
  it('CLEARCHAT: timeout with duration, ban, and a full clear', () => {
    const timeout = event(
      normalizeIrcLine(
        '@ban-duration=350;room-id=12345678;target-user-id=87654321;tmi-sent-ts=1642715756806 :tmi.twitch.tv CLEARCHAT #dallas :ronni',
      ),
    );
    expect(timeout.type).toBe('moderation.action.v1');
    expect(timeout.details).toMatchObject({
      action: 'timeout',
      durationSeconds: 350,
      targetUserId: '87654321',
      targetLogin: 'ronni',
    });
    expect(timeout.identity.external.id).toBe('12345678');
    const ban = event(
      normalizeIrcLine('@room-id=1;target-user-id=2;tmi-sent-ts=3 :tmi.twitch.tv CLEARCHAT #dallas :ronni'),
    );
    expect(ban.details).toMatchObject({ action: 'ban', targetLogin: 'ronni' });
    expect(ban.details).not.toHaveProperty('durationSeconds');
    const clear = event(normalizeIrcLine('@room-id=1;tmi-sent-ts=3 :tmi.twitch.tv CLEARCHAT #dallas'));
    expect(clear.details).toMatchObject({ action: 'clear' });
  });

  it('CLEARMSG: deletion with the target message id', () => {
    const e = event(
      normalizeIrcLine(
        '@login=foo;room-id=;target-msg-id=94e6c7ff-bf98-4faa-af5d-7ad633a158a9;tmi-sent-ts=1642720582342 :tmi.twitch.tv CLEARMSG #bar :what a great day',
      ),
    );
    expect(e.type).toBe('moderation.action.v1');
    expect(e.details).toMatchObject({
      action: 'delete',
      targetMessageId: '94e6c7ff-bf98-4faa-af5d-7ad633a158a9',
      targetLogin: 'foo',
      deletedText: 'what a great day',
    });
    expect(normalizeIrcLine('@login=foo :tmi.twitch.tv CLEARMSG #bar :x')).toMatchObject({ ok: false });
  });

  it('NOTICE → twitch.notice.v1, including global (*) notices', () => {
    const e = event(
      normalizeIrcLine('@msg-id=emote_only_on :tmi.twitch.tv NOTICE #bar :This room is now in emote-only mode.'),
    );
    expect(e.type).toBe('twitch.notice.v1');
    expect(e.details).toMatchObject({ noticeKind: 'emote_only_on', text: 'This room is now in emote-only mode.' });
    const global = event(normalizeIrcLine(':tmi.twitch.tv NOTICE * :Login authentication failed'));
    expect(global.ingress.channel).toBe('*');
    expect(global.details).toMatchObject({ noticeKind: 'unknown' });
  });
});

describe('normalizeIrcLine: bad input never throws', () => {
  it.each([
    ['empty', ''],
    ['tags only', '@just-tags-no-space'],
    ['prefix only', ':prefix-only'],
    ['binary junk', '\u0000\u0001\u0002 \uFFFF'],
    ['PRIVMSG without channel', '@user-id=1 :a!a@a PRIVMSG'],
    ['PRIVMSG without text', '@user-id=1 :a!a@a PRIVMSG #chan'],
    ['PRIVMSG without user id', ':a!a@a PRIVMSG #chan :hi'],
    ['channel without #', '@user-id=1 :a!a@a PRIVMSG chan :hi'],
    ['too long', `@user-id=1 :a!a@a PRIVMSG #c :${'x'.repeat(70_000)}`],
  ])('%s → a clear error', (_name, line) => {
    const result = normalizeIrcLine(line);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.length).toBeGreaterThan(5);
      expect(result.notAnEvent).toBe(false);
    }
  });

  it('marks well-formed non-events (PING, ROOMSTATE) as notAnEvent', () => {
    expect(normalizeIrcLine('PING :tmi.twitch.tv')).toEqual({
      ok: false,
      error: 'not an event: PING',
      notAnEvent: true,
    });
    expect(normalizeIrcLine('@room-id=1 :tmi.twitch.tv ROOMSTATE #chan')).toMatchObject({ notAnEvent: true });
  });

  it('survives objects that are not what tmi.js produces', () => {
    for (const junk of [null, {}, { command: 5 }, { command: 'PRIVMSG', params: null, tags: null }]) {
      const result = normalizeIrcMessage(junk as never);
      expect(result.ok).toBe(false);
    }
  });

  it('skips malformed emote ranges', () => {
    expect(parseEmotes('25:0-4,x-y,9-3/:1-2/30:7-8')).toEqual([
      { id: '25', start: 0, end: 4 },
      { id: '30', start: 7, end: 8 },
    ]);
  });
});
