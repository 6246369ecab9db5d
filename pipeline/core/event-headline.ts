/**
 * What a non-chat event says, in words ("raided with 187 viewers", "gifted 5 subs"), from the
 * `details` the connectors put on it. The live feed, the event detail and the overlay's alerts
 * read the event through this one function, so none of them falls back to delivery notes.
 */
import { KnownEventTypes } from './envelope.js';

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.trunc(value) : undefined;
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
const times = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The headline of an event that is not chat, without the actor's name; null when there is none. */
export function eventHeadline(type: string, details: Readonly<Record<string, unknown>> = {}): string | null {
  switch (type) {
    case KnownEventTypes.follow:
      return 'followed';
    case KnownEventTypes.sub:
    case KnownEventTypes.resub: {
      const months = count(details['months']);
      const prime = details['prime'] === true || details['plan'] === 'Prime';
      const verb = type === KnownEventTypes.sub ? 'subscribed' : 'resubscribed';
      return `${verb}${prime ? ' with Prime' : ''}${months && months > 1 ? ` for ${times(months, 'month')}` : ''}`;
    }
    case KnownEventTypes.subGift: {
      const gifts = count(details['giftCount']) ?? 1;
      const recipient = details['recipient'] as Record<string, unknown> | undefined;
      const to = gifts === 1 ? text(recipient?.['displayName']) : undefined;
      return to ? `gifted a sub to ${to}` : `gifted ${times(gifts, 'sub')}`;
    }
    case KnownEventTypes.raid: {
      const viewers = count(details['viewers']);
      return viewers === undefined ? 'raided' : `raided with ${times(viewers, 'viewer')}`;
    }
    case KnownEventTypes.cheer: {
      const bits = count(details['bits']);
      return bits === undefined ? 'cheered' : `cheered ${times(bits, 'bit')}`;
    }
    case KnownEventTypes.redemption: {
      const title = text(details['rewardTitle']);
      return title ? `redeemed “${title}”` : 'redeemed a reward';
    }
    case KnownEventTypes.announcement:
      return 'made an announcement';
    default:
      return null;
  }
}
