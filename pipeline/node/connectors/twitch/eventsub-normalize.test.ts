import { describe, expect, it } from 'vitest';
import { acceptInbound } from '../../../core/envelope.js';
import { NORMALIZED_EVENTSUB_TYPES, normalizeEventSubNotification } from './eventsub-normalize.js';
import { EVENTSUB_CHAT_SUBSCRIPTIONS, EVENTSUB_SUBSCRIPTIONS } from './scopes.js';

const BROADCASTER = {
  broadcaster_user_id: '1001',
  broadcaster_user_login: 'Streamer',
  broadcaster_user_name: 'Streamer',
};

describe('EventSub payload normalization (untrusted input)', () => {
  it('knows every subscription the connector can ask for', () => {
    expect([...NORMALIZED_EVENTSUB_TYPES].sort()).toEqual(
      [...EVENTSUB_SUBSCRIPTIONS, ...EVENTSUB_CHAT_SUBSCRIPTIONS].map((spec) => spec.type).sort(),
    );
  });

  it('names the missing field instead of throwing', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['channel.follow', { ...BROADCASTER, user_login: 'x' }, /missing user_id/],
      ['channel.cheer', { ...BROADCASTER, user_id: '2', user_login: 'x', bits: 'many' }, /missing bits/],
      ['channel.follow', null, /not an object/],
      ['channel.follow', [1, 2], /not an object/],
      ['stream.online', { broadcaster_user_id: '1001' }, /broadcaster_user_id\/broadcaster_user_login/],
      ['channel.unknown_thing', {}, /unsupported EventSub subscription type/],
    ];
    for (const [subscriptionType, event, error] of cases) {
      const result = normalizeEventSubNotification({ subscriptionType, messageId: 'm-1', event });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(error);
    }
    expect(
      normalizeEventSubNotification({ subscriptionType: 'stream.offline', messageId: '', event: BROADCASTER }),
    ).toEqual({
      ok: false,
      error: 'metadata.message_id: missing',
    });
  });

  it('keeps oversize and odd values inside the envelope limits', () => {
    const result = normalizeEventSubNotification({
      subscriptionType: 'channel.cheer',
      messageId: 'x'.repeat(300),
      event: {
        ...BROADCASTER,
        user_id: '2'.repeat(200),
        user_login: 'L'.repeat(200),
        user_name: '  ',
        bits: 5,
        message: '😀'.repeat(6000),
      },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const accepted = acceptInbound(result.event, 0, () => '00000000-0000-4000-8000-000000000000');
    expect(accepted.ok).toBe(true);
    expect(result.event.identity.external.displayName).toBe('L'.repeat(100));
    expect(result.event.identity.external.login).toBe('l'.repeat(100));
    expect(result.event.message?.text.length).toBeLessThanOrEqual(10_000);
    expect(result.event.ingress.channel).toBe('streamer');
  });
});
