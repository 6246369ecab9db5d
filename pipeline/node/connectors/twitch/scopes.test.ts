import { describe, expect, it } from 'vitest';
import {
  BOT_SCOPES,
  BROADCASTER_SCOPES,
  EVENTSUB_CHAT_SUBSCRIPTIONS,
  EVENTSUB_SUBSCRIPTIONS,
  missingSubscriptions,
  resolveChatTransport,
  scopesMarkdownTable,
  subscriptionsForScopes,
} from './scopes.js';

const types = (specs: Array<{ type: string }>) => specs.map((spec) => spec.type).sort();

describe('scopes → EventSub subscriptions', () => {
  it('needs no scope for raids and stream online/offline, and nothing else without scopes', () => {
    expect(types(subscriptionsForScopes([]))).toEqual(['channel.raid', 'stream.offline', 'stream.online']);
  });

  it('adds each subscription when one of its scopes is granted (read or manage)', () => {
    const granted = subscriptionsForScopes(['channel:read:subscriptions', 'channel:manage:polls', 'bits:read']);
    expect(types(granted)).toEqual(
      [
        'channel.cheer',
        'channel.poll.begin',
        'channel.poll.end',
        'channel.raid',
        'channel.subscribe',
        'channel.subscription.gift',
        'channel.subscription.message',
        'stream.offline',
        'stream.online',
      ].sort(),
    );
  });

  it("gives a moderator's token only what Twitch lets a moderator subscribe to", () => {
    const granted = subscriptionsForScopes(BROADCASTER_SCOPES, { tokenIsBroadcaster: false });
    expect(types(granted)).toEqual(['channel.follow', 'channel.raid', 'stream.offline', 'stream.online']);
  });

  it('the broadcaster login asks for every subscription, and says what a missing scope costs', () => {
    expect(subscriptionsForScopes(BROADCASTER_SCOPES)).toHaveLength(EVENTSUB_SUBSCRIPTIONS.length);
    expect(missingSubscriptions(BROADCASTER_SCOPES)).toEqual([]);
    const missing = missingSubscriptions(BROADCASTER_SCOPES.filter((scope) => scope !== 'bits:read'));
    expect(missing.map((entry) => [entry.spec.type, entry.needs])).toEqual([['channel.cheer', 'bits:read']]);
    // Least privilege: read scopes, never the manage variants.
    expect(BROADCASTER_SCOPES.some((scope) => scope.startsWith('channel:manage:'))).toBe(false);
    expect(BOT_SCOPES).toEqual([
      'chat:read',
      'chat:edit',
      'user:read:chat',
      'user:write:chat',
      'moderator:manage:banned_users',
      'moderator:manage:chat_messages',
    ]);
  });

  it('renders the README table from the same data', () => {
    const table = scopesMarkdownTable();
    expect(table.split('\n')).toHaveLength(2 + 6 + EVENTSUB_SUBSCRIPTIONS.length + EVENTSUB_CHAT_SUBSCRIPTIONS.length);
    expect(table).toContain('| Follows | `channel.follow` v2 | `moderator:read:followers` |');
    expect(table).toContain('`channel:read:redemptions` or `channel:manage:redemptions`');
    expect(table).toContain("| Twitch's shoutout with `!so` (broadcaster) | — | `moderator:manage:shoutouts` |");
    expect(BROADCASTER_SCOPES).toContain('moderator:manage:shoutouts');
  });

  it('chooses the bot’s chat path from the setting and what the bot granted', () => {
    expect(resolveChatTransport('auto', BOT_SCOPES)).toBe('eventsub');
    expect(resolveChatTransport('eventsub', BOT_SCOPES)).toBe('eventsub');
    expect(resolveChatTransport('irc', BOT_SCOPES)).toBe('irc');
    // Linked before the EventSub chat scopes were asked for: IRC until the bot logs in again.
    expect(resolveChatTransport('auto', ['chat:read', 'chat:edit'])).toBe('irc');
    expect(resolveChatTransport('eventsub', ['user:read:chat'])).toBe('irc');
    expect(resolveChatTransport('auto', null)).toBe('irc');
  });
});
