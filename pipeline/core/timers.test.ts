import { describe, expect, it } from 'vitest';
import { TimerSchema, dueTimers, timerEvent, type Timer, type TimerState } from './timers.js';
import { InboundEventSchema } from './envelope.js';

const MINUTE = 60_000;
const LIVE_AT = 1_000_000;

function timer(overrides: Partial<Timer> = {}): Timer {
  return TimerSchema.parse({
    id: 'socials',
    messages: ['a', 'b', 'c'],
    intervalMinutes: 10,
    minChatLines: 3,
    ...overrides,
  });
}

/** A clock and chat the test steps by hand. */
function world(options: { live?: boolean; lines?: number[] } = {}) {
  const lines = options.lines ?? [];
  return (now: number, random = () => 0) => ({
    now,
    live: options.live ?? true,
    liveSince: options.live === false ? null : LIVE_AT,
    chatLinesSince: (at: number) => lines.filter((line) => line > at).length,
    random,
  });
}

describe('dueTimers', () => {
  it('waits the interval after going live, then fires only with enough chat since', () => {
    const lines = [LIVE_AT + 1, LIVE_AT + 2];
    const at = world({ lines });
    const states = new Map<string, TimerState>();
    expect(dueTimers([timer()], states, at(LIVE_AT + 9 * MINUTE))).toEqual([]);
    // Interval reached, but only two chat lines.
    expect(dueTimers([timer()], states, at(LIVE_AT + 10 * MINUTE))).toEqual([]);
    lines.push(LIVE_AT + 5 * MINUTE);
    expect(dueTimers([timer()], states, at(LIVE_AT + 10 * MINUTE))).toMatchObject([{ messageIndex: 0, nextIndex: 1 }]);
  });

  it('never fires while offline unless told to', () => {
    const recent = LIVE_AT + 55 * MINUTE;
    const at = world({ live: false, lines: [recent, recent + 1, recent + 2] });
    expect(dueTimers([timer()], new Map(), at(LIVE_AT + 60 * MINUTE))).toEqual([]);
    expect(dueTimers([timer({ onlyWhenLive: false })], new Map(), at(LIVE_AT + 60 * MINUTE))).toHaveLength(1);
  });

  it('counts interval and chat from its last message, and rotates in order', () => {
    const lastSentAt = LIVE_AT + 20 * MINUTE;
    const lines = [lastSentAt - 1, lastSentAt - 2, lastSentAt - 3];
    const at = world({ lines });
    const states = new Map([['socials', { id: 'socials', nextIndex: 2, lastSentAt }]]);
    expect(dueTimers([timer()], states, at(lastSentAt + 11 * MINUTE))).toEqual([]); // chat was before it
    lines.push(lastSentAt + 1, lastSentAt + 2, lastSentAt + 3);
    expect(dueTimers([timer()], states, at(lastSentAt + 9 * MINUTE))).toEqual([]); // too soon
    expect(dueTimers([timer()], states, at(lastSentAt + 10 * MINUTE))).toMatchObject([
      { messageIndex: 2, nextIndex: 0 },
    ]);
  });

  it('random rotation never repeats the previous message; disabled timers never fire', () => {
    const at = world({ lines: [LIVE_AT + 1, LIVE_AT + 2, LIVE_AT + 3] });
    const random = timer({ rotation: 'random' });
    const previousWasB = new Map([['socials', { id: 'socials', nextIndex: 2, lastSentAt: LIVE_AT }]]);
    const picks = [0, 0.5, 0.99].map(
      (r) =>
        dueTimers(
          [random],
          previousWasB,
          at(LIVE_AT + 10 * MINUTE, () => r),
        )[0]!.messageIndex,
    );
    expect(picks).toEqual([0, 2, 2]);
    expect(dueTimers([timer({ enabled: false })], new Map(), at(LIVE_AT + 60 * MINUTE))).toEqual([]);
  });

  it('makes an event ingress accepts, bound for Twitch chat when a channel is set', () => {
    const firing = { timer: timer(), messageIndex: 1, nextIndex: 2 };
    const toChat = timerEvent(firing, { channel: 'Streamer', botName: 'BitBrat' }, 5);
    expect(InboundEventSchema.safeParse(toChat).success).toBe(true);
    expect(toChat.ingress).toMatchObject({ connector: 'twitch-chat', channel: 'streamer', source: 'timer' });
    expect(toChat.details).toEqual({ timerId: 'socials', messageIndex: 1 });
    expect(timerEvent(firing, { channel: '', botName: 'b' }, 5).ingress).toMatchObject({ connector: 'timers' });
  });

  it('names the field of an invalid timer', () => {
    const result = TimerSchema.safeParse({ id: 'x', messages: [], intervalMinutes: 0 });
    expect(result.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['intervalMinutes', 'messages']);
  });
});
