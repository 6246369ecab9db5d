import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptInbound, type Envelope } from '../../../core/envelope.js';
import type { StepContext } from '../../../core/service.js';
import { startTwitchIrcServer, type TwitchIrcServer } from '../../../../test/support/twitch-irc-server.js';
import { createTwitchChatEgress } from './chat-egress.js';
import { TmiChatSender, type ChatSender, type SendResult } from './chat-sender.js';
import { DUPLICATE_VARIATION, DuplicateGuard, sanitizeChatText, splitForChat } from './chat-text.js';
import type { Clock } from './rate-window.js';

function replyEvent(text: string, replyTo = `msg-${randomUUID()}`, connector = 'twitch-chat'): Envelope {
  const accepted = acceptInbound(
    {
      type: 'chat.message.v1',
      ingress: { connector, channel: 'dallas' },
      identity: { external: { id: '1', login: 'viewer', displayName: 'Viewer' } },
      message: { id: replyTo, text: '!ask' },
    },
    Date.now(),
    randomUUID,
  );
  if (!accepted.ok) throw new Error(accepted.error);
  accepted.value.candidates.push({ id: randomUUID(), text, source: 'test', priority: 0, status: 'selected' });
  return accepted.value;
}

const context = (): StepContext => ({ signal: new AbortController().signal, attempt: 1, now: Date.now });

/** Virtual time: a sleep advances the clock at once, so 300 replies at 20 / 30 s take no real time. */
function virtualClock(): Clock & { t: number } {
  const clock = {
    t: 1_000_000,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

function recordingSender(clock: Clock, moderator = false) {
  const sent: Array<{ at: number; channel: string; text: string; replyTo: string | undefined }> = [];
  const sender: ChatSender = {
    isModerator: () => moderator,
    send: async (channel, text, replyTo): Promise<SendResult> => {
      sent.push({ at: clock.now(), channel, text, replyTo });
      return { status: 'sent', confirmed: true };
    },
  };
  return { sender, sent };
}

/** The most sends that fall inside any window of `windowMs`. */
function maxInAnyWindow(times: number[], windowMs: number): number {
  let max = 0;
  for (let i = 0; i < times.length; i += 1) {
    let j = i;
    while (j < times.length && times[j]! - times[i]! < windowMs) j += 1;
    max = Math.max(max, j - i);
  }
  return max;
}

describe('chat text rules', () => {
  it('splits long replies on word boundaries within the limit, emoji intact', () => {
    const words = Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? '🎉🎉' : `word${i}`));
    const text = words.join(' ');
    const parts = splitForChat(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect([...part].length).toBeLessThanOrEqual(498);
    expect(parts.join(' ')).toBe(text);
    const long = 'x'.repeat(1200);
    expect(splitForChat(`a ${long} b`).map((p) => p.length)).toEqual([1, 498, 498, 206]);
    expect(splitForChat(`a ${long} b`).join('').replace(/\s/g, '')).toBe(`a${long}b`);
    expect(splitForChat('🦀'.repeat(600)).map((p) => [...p].length)).toEqual([498, 102]);
  });

  it('keeps replies on one line and never lets them run a chat command', () => {
    expect(sanitizeChatText('hi\r\nPRIVMSG #other :evil')).toBe('hi PRIVMSG #other :evil');
    expect(sanitizeChatText('/ban streamer')).toBe('\u200b/ban streamer');
    expect(sanitizeChatText('.timeout x')).toMatch(/^\u200b\./);
  });

  it('varies a repeat within 30 s, alternating, and leaves older repeats alone', () => {
    const guard = new DuplicateGuard(30_000);
    expect(guard.prepare('#c', 'same', 0).text).toBe('same');
    expect(guard.prepare('#c', 'same', 1000).text).toBe(`same${DUPLICATE_VARIATION}`);
    expect(guard.prepare('#c', 'same', 2000).text).toBe('same');
    expect(guard.prepare('#other', 'same', 2000).text).toBe('same');
    expect(guard.prepare('#c', 'same', 40_000).text).toBe('same');
  });
});

describe('createTwitchChatEgress with an injected clock', () => {
  it('sends a burst of 300 replies: never more than 20 in any 30 s, nothing lost, in order', async () => {
    const clock = virtualClock();
    const { sender, sent } = recordingSender(clock);
    const egress = createTwitchChatEgress({
      sender,
      clock,
      limits: { safetyMarginMs: 0, maxQueueDelayMs: 10_000_000 },
    });
    const events = Array.from({ length: 300 }, (_, i) => replyEvent(`reply number ${i}`));
    const outcomes = await Promise.all(events.map((event) => egress.run(event, context())));
    expect(outcomes.every((o) => o.status === 'OK' && o.delivery?.status === 'sent')).toBe(true);
    expect(sent.map((s) => s.text)).toEqual(events.map((_, i) => `reply number ${i}`));
    expect(sent.map((s) => s.replyTo)).toEqual(events.map((e) => e.message?.id));
    expect(
      maxInAnyWindow(
        sent.map((s) => s.at),
        30_000,
      ),
    ).toBe(20);
    // 300 at 20 per 30 s need 14 full windows after the first.
    expect(sent.at(-1)!.at - sent[0]!.at).toBeGreaterThanOrEqual(14 * 30_000);
  });

  it('allows 100 per 30 s where the bot moderates', async () => {
    const clock = virtualClock();
    const { sender, sent } = recordingSender(clock, true);
    const egress = createTwitchChatEgress({ sender, clock, limits: { safetyMarginMs: 0 } });
    await Promise.all(Array.from({ length: 300 }, (_, i) => egress.run(replyEvent(`r${i}`), context())));
    expect(sent).toHaveLength(300);
    expect(
      maxInAnyWindow(
        sent.map((s) => s.at),
        30_000,
      ),
    ).toBe(100);
  });

  it('drops a reply that would be stale, says why, and never sends one event twice', async () => {
    const clock = virtualClock();
    const { sender, sent } = recordingSender(clock);
    const egress = createTwitchChatEgress({ sender, clock, limits: { maxQueueDelayMs: 45_000 } });
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, i) => egress.run(replyEvent(`r${i}`), context())),
    );
    const dropped = outcomes.filter((o) => o.delivery?.status === 'dropped');
    expect(sent.length + dropped.length).toBe(60);
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped[0]?.delivery?.detail).toMatch(/stale: waited \d+ s for the rate limit/);

    const event = replyEvent('only once');
    await egress.run(event, context());
    const again = await egress.run(event, context());
    expect(again.delivery).toMatchObject({ status: 'duplicate' });
    expect(sent.filter((s) => s.text === 'only once')).toHaveLength(1);
  });

  it('skips events meant for another connector and events without a selected reply', async () => {
    const clock = virtualClock();
    const { sender, sent } = recordingSender(clock);
    const egress = createTwitchChatEgress({ sender, clock });
    expect((await egress.run(replyEvent('x', 'm', 'gateway'), context())).status).toBe('SKIP');
    const noReply = replyEvent('x');
    noReply.candidates = [];
    expect((await egress.run(noReply, context())).status).toBe('SKIP');
    expect(sent).toHaveLength(0);
  });
});

describe('createTwitchChatEgress through tmi.js to the local Twitch-like server', () => {
  let server: TwitchIrcServer | null = null;
  let sender: TmiChatSender | null = null;
  afterEach(async () => {
    await sender?.stop();
    await server?.close();
    sender = null;
    server = null;
  });

  async function connectBot(options: Parameters<typeof startTwitchIrcServer>[0]) {
    server = await startTwitchIrcServer({ tokens: { bitbot: 'oauth:secret' }, ...options });
    const joined = server.waitForJoins('#dallas', 1);
    sender = new TmiChatSender({
      login: 'bitbot',
      token: () => 'secret',
      channels: ['dallas'],
      server: { host: '127.0.0.1', port: server.port, secure: false },
    });
    await sender.start();
    await joined;
  }

  it('a burst of 300 replies as moderator: no rate-limit notice, nothing lost, threads and splits kept', async () => {
    await connectBot({ moderators: ['bitbot'], moderatorRateLimit: { messages: 100, windowMs: 250 } });
    // USERSTATE on join told the sender the bot moderates here.
    expect(sender!.isModerator('dallas')).toBe(true);
    const egress = createTwitchChatEgress({
      sender: sender!,
      limits: { moderatorMessages: 100, windowMs: 250, safetyMarginMs: 60 },
    });
    const long = Array.from({ length: 150 }, (_, i) => `w${i}`).join(' '); // ~740 characters: 2 parts
    const events = Array.from({ length: 300 }, (_, i) => replyEvent(i === 7 ? long : `reply ${i}`));
    const outcomes = await Promise.all(events.map((event) => egress.run(event, context())));
    expect(server!.notices).not.toContain('msg_ratelimit');
    expect(outcomes.every((o) => o.delivery?.status === 'sent')).toBe(true);
    expect(outcomes[7]?.delivery?.parts).toBe(2);
    expect(server!.privmsgs).toHaveLength(301);
    expect(server!.privmsgs.filter((m) => m.replyParentId === events[7]!.message?.id)).toHaveLength(2);
    expect(server!.privmsgs.map((m) => m.replyParentId)).toEqual(
      events.flatMap((event, i) => (i === 7 ? [event.message?.id, event.message?.id] : [event.message?.id])),
    );
  });

  it('a regular account at 20 per window is held back instead of being refused', async () => {
    await connectBot({ rateLimit: { messages: 20, windowMs: 200 } });
    expect(sender!.isModerator('dallas')).toBe(false);
    const egress = createTwitchChatEgress({
      sender: sender!,
      limits: { messages: 20, windowMs: 200, safetyMarginMs: 60 },
    });
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => egress.run(replyEvent(`n${i}`), context())),
    );
    expect(server!.notices).not.toContain('msg_ratelimit');
    expect(outcomes.every((o) => o.delivery?.status === 'sent')).toBe(true);
    expect(server!.privmsgs.map((m) => m.text)).toEqual(Array.from({ length: 50 }, (_, i) => `n${i}`));
  });

  it('identical replies in a row all arrive (no msg_duplicate), and a refusal is reported as dropped', async () => {
    await connectBot({ rateLimit: { messages: 3, windowMs: 60_000 } });
    const egress = createTwitchChatEgress({ sender: sender!, limits: { safetyMarginMs: 0 } });
    for (let i = 0; i < 3; i += 1) {
      const outcome = await egress.run(replyEvent('GG!'), context());
      expect(outcome.delivery?.status).toBe('sent');
    }
    expect(server!.notices).not.toContain('msg_duplicate');
    expect(server!.privmsgs.map((m) => m.text)).toEqual(['GG!', `GG!${DUPLICATE_VARIATION}`, 'GG!']);
    // The server's limit (3 per minute) is lower than what the egress was told: Twitch's refusal shows.
    const refused = await egress.run(replyEvent('one too many'), context());
    expect(refused.delivery).toMatchObject({ status: 'dropped', detail: expect.stringContaining('msg_ratelimit') });
  });
});
