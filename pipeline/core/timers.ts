/**
 * Timers: messages posted every N minutes while the stream is live, and only after at least M
 * chat lines since the last one, rotating in order or at random over a list.
 *
 * A timer that is due becomes an event (`timer.fired.v1`, built by `timerEvent`) that enters the
 * pipeline like any other: the `timers` reaction service renders the message, the approval policy
 * of its rule applies, and egress sends it with Twitch's rate limits. Which message was chosen is
 * in the event itself, so a resumed event sends the same one.
 */
import { z } from 'zod';
import type { InboundEvent } from './envelope.js';
import { TWITCH_CHAT_CONNECTOR } from './protocol/twitch.js';

export const TIMER_EVENT_TYPE = 'timer.fired.v1';
/** The connector timer events name when no Twitch channel is set (their replies reach the console only). */
export const TIMER_CONNECTOR = 'timers';

export const TimerSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(60)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'timer ids are lower-case letters, digits, "-" and "_"'),
  name: z.string().trim().max(100).default(''),
  enabled: z.boolean().default(true),
  /** Minutes between two messages of this timer. */
  intervalMinutes: z.number().int().min(1).max(1440).default(15),
  /** Chat lines there must have been since this timer's last message (0: none needed). */
  minChatLines: z.number().int().min(0).max(10_000).default(5),
  /** Off: also while offline (rarely wanted: nobody is there to read it). */
  onlyWhenLive: z.boolean().default(true),
  rotation: z.enum(['in-order', 'random']).default('in-order'),
  messages: z
    .array(z.string().trim().min(1, 'must not be empty').max(500))
    .min(1, 'needs at least one message')
    .max(50),
});
export type Timer = z.infer<typeof TimerSchema>;
export type TimerInput = z.input<typeof TimerSchema>;

/** Where the scheduler is with one timer (table timer_state). */
export interface TimerState {
  id: string;
  nextIndex: number;
  lastSentAt: number | null;
}

export const TimerStoreWriteSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('timer.upsert'), timer: TimerSchema, at: z.number() }),
  z.object({ op: z.literal('timer.delete'), id: z.string().min(1).max(60) }),
  /** The scheduler fired it: remembered before the event enters, so a restart never repeats it at once. */
  z.object({
    op: z.literal('timer.fired'),
    id: z.string().min(1).max(60),
    nextIndex: z.number().int().min(0),
    at: z.number(),
  }),
]);
export type TimerStoreWrite = z.infer<typeof TimerStoreWriteSchema>;
export const TIMER_STORE_OPS = ['timer.upsert', 'timer.delete', 'timer.fired'] as const;

/** What the scheduler needs to know at a tick. */
export interface TimerTickInput {
  now: number;
  live: boolean;
  /** When the current stream started (null: offline or unknown). */
  liveSince: number | null;
  /** Chat lines since a moment (the store counts them). */
  chatLinesSince(at: number): number;
  random: () => number;
}

export interface TimerFiring {
  timer: Timer;
  messageIndex: number;
  nextIndex: number;
}

/**
 * Which timers are due now, and which message each sends. Pure: the clock, the live state and the
 * chat count come in, so tests step time instead of sleeping.
 *
 * A timer's interval runs from its last message, or from when the stream went live if that is
 * later (a timer does not fire the moment the stream starts because it fired yesterday).
 */
export function dueTimers(
  timers: readonly Timer[],
  states: ReadonlyMap<string, TimerState>,
  input: TimerTickInput,
): TimerFiring[] {
  const firings: TimerFiring[] = [];
  for (const timer of timers) {
    if (!timer.enabled) continue;
    if (timer.onlyWhenLive && !input.live) continue;
    const state = states.get(timer.id);
    const lastSentAt = state?.lastSentAt ?? null;
    const since = Math.max(lastSentAt ?? -Infinity, timer.onlyWhenLive ? (input.liveSince ?? -Infinity) : -Infinity);
    if (since !== -Infinity && input.now - since < timer.intervalMinutes * 60_000) continue;
    if (timer.minChatLines > 0) {
      const from = since === -Infinity ? input.now - timer.intervalMinutes * 60_000 : since;
      if (input.chatLinesSince(from) < timer.minChatLines) continue;
    }
    const count = timer.messages.length;
    let messageIndex: number;
    if (timer.rotation === 'random' && count > 1) {
      // Never the same message twice in a row: the previous one is nextIndex - 1.
      const previous = ((state?.nextIndex ?? 0) - 1 + count) % count;
      messageIndex = Math.floor(input.random() * (count - 1));
      if (messageIndex >= previous) messageIndex += 1;
      messageIndex = Math.min(messageIndex, count - 1);
    } else {
      messageIndex = (state?.nextIndex ?? 0) % count;
    }
    firings.push({ timer, messageIndex, nextIndex: (messageIndex + 1) % count });
  }
  return firings;
}

/** The event a firing becomes: sent to the channel's chat when one is set, to the console otherwise. */
export function timerEvent(
  firing: TimerFiring,
  target: { channel: string; botName: string },
  now: number,
): InboundEvent {
  const channel = target.channel.trim().toLowerCase();
  return {
    type: TIMER_EVENT_TYPE,
    ingress: {
      at: now,
      source: 'timer',
      // The Twitch chat connector's name: the reply goes out through the normal Twitch egress rule.
      connector: channel ? TWITCH_CHAT_CONNECTOR : TIMER_CONNECTOR,
      channel: channel || 'console',
    },
    identity: {
      external: {
        id: `timer:${firing.timer.id}`,
        platform: 'bitbrat',
        login: target.botName.toLowerCase(),
        displayName: `Timer ${firing.timer.name || firing.timer.id}`,
        roles: [],
        badges: {},
      },
    },
    details: { timerId: firing.timer.id, messageIndex: firing.messageIndex },
  };
}
