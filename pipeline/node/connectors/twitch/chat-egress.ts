/**
 * Twitch chat out: the egress service `twitch-chat`. It sends the event's selected reply through one
 * FIFO queue that respects Twitch's limits (20 / 30 s, 100 / 30 s where the bot moderates), splits long
 * replies at word boundaries, varies a repeated message so Twitch's duplicate filter does not eat it,
 * replies in the thread of the message that triggered it, and reports each delivery on the slip.
 */
import type { Envelope } from '../../../core/envelope.js';
import {
  StepFailure,
  type DeliveryReport,
  type Service,
  type StepContext,
  type StepOutcome,
} from '../../../core/service.js';
import { selectedCandidate } from '../../../core/slip.js';
import { DuplicateGuard, DUPLICATE_WINDOW_MS, sanitizeChatText, splitForChat } from './chat-text.js';
import type { ChatSender, SendResult } from './chat-sender.js';
import { TWITCH_CHAT_CONNECTOR } from './irc-normalize.js';
import { RateWindow, realClock, type Clock } from './rate-window.js';
import { RecentIds } from './recent-ids.js';

export interface TwitchChatEgressLimits {
  /** Twitch: 20 per 30 s for a regular account. */
  messages: number;
  /** Twitch: 100 per 30 s where the bot is a moderator or the broadcaster. */
  moderatorMessages: number;
  windowMs: number;
  /** Added to the window so network jitter never makes Twitch count more than the limit. */
  safetyMarginMs: number;
  /** A reply that would wait longer than this for the rate limit is stale: dropped, with the reason. */
  maxQueueDelayMs: number;
}

export const TWITCH_CHAT_LIMITS: TwitchChatEgressLimits = {
  messages: 20,
  moderatorMessages: 100,
  windowMs: 30_000,
  safetyMarginMs: 1_000,
  maxQueueDelayMs: 120_000,
};

export interface TwitchChatEgressDeps {
  sender: ChatSender;
  limits?: Partial<TwitchChatEgressLimits>;
  clock?: Clock;
  duplicateWindowMs?: number;
}

export interface TwitchChatEgress extends Service {
  /** Messages sent within the current (widened) rate window. */
  inWindow(): number;
}

export function createTwitchChatEgress(deps: TwitchChatEgressDeps): TwitchChatEgress {
  const limits = { ...TWITCH_CHAT_LIMITS, ...deps.limits };
  const clock = deps.clock ?? realClock;
  const window = new RateWindow(limits.windowMs, limits.safetyMarginMs, clock);
  const duplicates = new DuplicateGuard(deps.duplicateWindowMs ?? DUPLICATE_WINDOW_MS);
  // A reply is never sent twice, even when the router re-dispatches an event after a worker restart.
  const delivered = new RecentIds(50_000);

  async function sendPart(
    channel: string,
    text: string,
    replyTo: string | undefined,
    queuedAt: number,
    signal: AbortSignal,
  ): Promise<SendResult> {
    const limit = deps.sender.isModerator(channel) ? limits.moderatorMessages : limits.messages;
    const at = await window.acquire(limit);
    if (signal.aborted) return { status: 'dropped', reason: 'cancelled before sending' };
    if (at - queuedAt > limits.maxQueueDelayMs) {
      return { status: 'dropped', reason: `stale: waited ${Math.round((at - queuedAt) / 1000)} s for the rate limit` };
    }
    const prepared = duplicates.prepare(channel, text, at);
    return deps.sender.send(channel, prepared.text, replyTo);
  }

  return {
    id: TWITCH_CHAT_CONNECTOR,
    phase: 'egress',
    inWindow: () => window.inWindow(),
    async run(event: Readonly<Envelope>, context: StepContext): Promise<StepOutcome> {
      const target = event.egress ?? {
        connector: event.ingress.connector,
        channel: event.ingress.channel,
        replyTo: event.message?.id,
      };
      if (target.connector !== TWITCH_CHAT_CONNECTOR) {
        return { status: 'SKIP', notes: [`egress target is ${target.connector}, not ${TWITCH_CHAT_CONNECTOR}`] };
      }
      const candidate = selectedCandidate(event as Envelope);
      if (!candidate) return { status: 'SKIP', notes: ['no selected reply'] };
      if (delivered.has(event.id)) {
        return { status: 'OK', delivery: report('duplicate', 'already sent for this event') };
      }
      const text = sanitizeChatText(candidate.finalText ?? candidate.text);
      if (text === '') return { status: 'OK', delivery: report('dropped', 'empty reply') };
      const parts = splitForChat(text);
      const queuedAt = clock.now();
      // All parts are queued at once, so they leave back to back and in order.
      const results = await Promise.all(
        parts.map((part) => sendPart(target.channel, part, target.replyTo, queuedAt, context.signal)),
      );
      const sent = results.filter((result) => result.status === 'sent').length;
      const reasons = [...new Set(results.flatMap((result) => (result.status === 'dropped' ? [result.reason] : [])))];
      if (sent === 0 && reasons.every((reason) => reason === 'not connected')) {
        throw new StepFailure('twitch-chat.not-connected', 'the bot is not connected to Twitch chat', true);
      }
      if (sent > 0) delivered.add(event.id);
      const unconfirmed = results.filter((result) => result.status === 'sent' && !result.confirmed).length;
      const notes = [
        `${sent}/${parts.length} part(s) to #${target.channel}${target.replyTo ? ` in reply to ${target.replyTo}` : ''}`,
        ...(unconfirmed > 0 ? [`${unconfirmed} part(s) not confirmed by Twitch in time`] : []),
      ];
      if (reasons.length === 0) return { status: 'OK', notes, delivery: report('sent', undefined, parts.length) };
      return { status: 'OK', notes, delivery: report('dropped', reasons.join('; ').slice(0, 500), sent) };
    },
  };
}

function report(status: DeliveryReport['status'], detail?: string, parts?: number): DeliveryReport {
  return {
    connector: TWITCH_CHAT_CONNECTOR,
    status,
    ...(detail !== undefined ? { detail } : {}),
    ...(parts !== undefined ? { parts } : {}),
  };
}
