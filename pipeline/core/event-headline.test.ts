import { describe, expect, it } from 'vitest';
import { eventHeadline } from './event-headline.js';

describe('eventHeadline', () => {
  it('says what follows, subs, gifts, raids and cheers were, from their details', () => {
    expect(eventHeadline('twitch.follow.v1', {})).toBe('followed');
    expect(eventHeadline('twitch.raid.v1', { viewers: 187 })).toBe('raided with 187 viewers');
    expect(eventHeadline('twitch.raid.v1', { viewers: 1 })).toBe('raided with 1 viewer');
    expect(eventHeadline('twitch.subgift.v1', { giftCount: 5 })).toBe('gifted 5 subs');
    expect(eventHeadline('twitch.subgift.v1', { giftCount: 1, recipient: { displayName: 'Zoe' } })).toBe(
      'gifted a sub to Zoe',
    );
    expect(eventHeadline('twitch.sub.v1', { months: 7 })).toBe('subscribed for 7 months');
    expect(eventHeadline('twitch.sub.v1', { months: 1, plan: 'Prime' })).toBe('subscribed with Prime');
    expect(eventHeadline('twitch.cheer.v1', { bits: 300 })).toBe('cheered 300 bits');
    expect(eventHeadline('twitch.redemption.v1', { rewardTitle: 'Hydrate' })).toBe('redeemed “Hydrate”');
  });

  it('has no headline for chat or unknown events, and ignores details of the wrong shape', () => {
    expect(eventHeadline('chat.message.v1', {})).toBeNull();
    expect(eventHeadline('custom.thing.v1')).toBeNull();
    expect(eventHeadline('twitch.raid.v1', { viewers: 'many' })).toBe('raided');
    expect(eventHeadline('twitch.cheer.v1', { bits: -5 })).toBe('cheered');
  });
});
