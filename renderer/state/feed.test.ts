import { describe, expect, it } from 'vitest';
import type { EventSummary } from '../../pipeline/core/protocol/pipeline.js';
import { applyFeed, EMPTY_FEED, EMPTY_FILTER, matchesFilter, toEventQuery, visibleIds } from './feed.js';

function summary(id: string, at: number, extra: Partial<EventSummary> = {}): EventSummary {
  return {
    id,
    type: 'chat.message.v1',
    at,
    channel: 'chan',
    connector: 'twitch-chat',
    login: 'viewer1',
    displayName: 'Viewer1',
    roles: ['viewer'],
    text: `message ${id}`,
    stage: 'enrichment',
    disposition: null,
    reason: null,
    reply: null,
    phaseMs: {},
    updatedAt: at,
    ...extra,
  };
}

describe('the live feed window', () => {
  it('orders events by ingress time, oldest first, even when one arrives late', () => {
    const window = applyFeed(EMPTY_FEED, [summary('b', 20), summary('c', 30), summary('a', 10)]);
    expect(window.ids).toEqual(['a', 'b', 'c']);
  });

  it('updates a row in place when the same event is pushed again', () => {
    const first = applyFeed(EMPTY_FEED, [summary('a', 10), summary('b', 20)]);
    const second = applyFeed(first, [summary('a', 10, { stage: 'terminal', disposition: 'replied', updatedAt: 50 })]);
    expect(second.ids).toEqual(['a', 'b']);
    expect(second.byId.get('a')?.disposition).toBe('replied');
  });

  it('ignores an update older than the one it already shows', () => {
    const fresh = applyFeed(EMPTY_FEED, [summary('a', 10, { stage: 'terminal', updatedAt: 90 })]);
    const stale = applyFeed(fresh, [summary('a', 10, { stage: 'reaction', updatedAt: 40 })]);
    expect(stale).toBe(fresh);
    expect(stale.byId.get('a')?.stage).toBe('terminal');
  });

  it('keeps only the newest events when the window is full', () => {
    let window = EMPTY_FEED;
    for (let batch = 0; batch < 10; batch++) {
      window = applyFeed(
        window,
        Array.from({ length: 100 }, (_, i) => summary(`e${batch * 100 + i}`, batch * 100 + i)),
        250,
      );
    }
    expect(window.ids).toHaveLength(250);
    expect(window.byId.size).toBe(250);
    expect(window.ids[0]).toBe('e750');
    expect(window.ids.at(-1)).toBe('e999');
    expect(window.byId.has('e749')).toBe(false);
  });

  it('filters on type, open disposition, user and every typed word', () => {
    const window = applyFeed(EMPTY_FEED, [
      summary('a', 1, { text: 'Hello bot, how are you' }),
      summary('b', 2, { type: 'twitch.follow.v1', text: null }),
      summary('c', 3, { login: 'Other', disposition: 'replied', stage: 'terminal' }),
    ]);
    expect(visibleIds(window, { ...EMPTY_FILTER, type: 'twitch.follow.v1' })).toEqual(['b']);
    expect(visibleIds(window, { ...EMPTY_FILTER, disposition: 'open' })).toEqual(['a', 'b']);
    expect(visibleIds(window, { ...EMPTY_FILTER, user: ' other ' })).toEqual(['c']);
    expect(visibleIds(window, { ...EMPTY_FILTER, text: 'how hello' })).toEqual(['a']);
    expect(matchesFilter(window.byId.get('a')!, { ...EMPTY_FILTER, text: 'hello nobody' })).toBe(false);
  });

  it('turns a filter into the host query, leaving out what is empty', () => {
    expect(toEventQuery({ ...EMPTY_FILTER, user: ' Viewer1 ', disposition: 'open' }, 50)).toEqual({
      limit: 50,
      user: 'Viewer1',
      disposition: 'open',
    });
  });
});
