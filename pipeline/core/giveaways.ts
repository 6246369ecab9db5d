/**
 * Giveaways: `!giveaway open !KEYWORD [role] [follower]` (moderators), viewers enter by typing the keyword while it
 * is open (one entry per user per giveaway), `!giveaway draw` picks a random winner from the entries,
 * `!giveaway redraw` another one (never a previous winner of the same giveaway), `!giveaway close`
 * stops entries. The `giveaways` reaction service runs them; entries and draws are stored (tables:
 * migration 5) and the console lists them.
 *
 * The keyword is a chat command ("!join"): rules route by the message text, and a keyword that is a
 * plain word would need every chat line to pass through the service to be recognised.
 */
import { z } from 'zod';
import { RoleSchema, type Role } from './envelope.js';

export const GIVEAWAY_KEYWORD = /^![a-z0-9_-]{1,30}$/;

export interface Giveaway {
  id: number;
  /** Lower-case, with its "!" (`!join`). */
  keyword: string;
  /** Only chatters with this role (or above it: moderators and the broadcaster) may enter; null: everyone. */
  requiredRole: Role | null;
  /** Only chatters who follow the channel may enter (checked on Twitch with the linked broadcaster). */
  requiresFollow: boolean;
  status: 'open' | 'closed';
  openedBy: string;
  openedAt: number;
  closedAt: number | null;
  entries: number;
  /** Winners in the order drawn (a redraw adds one). */
  winners: GiveawayEntrant[];
}

export interface GiveawayEntrant {
  platform: string;
  userId: string;
  login: string;
  displayName: string;
}

export interface GiveawayEntry extends GiveawayEntrant {
  enteredAt: number;
}

const EntrantSchema = z.object({
  platform: z.string().min(1).max(40),
  userId: z.string().min(1).max(100),
  login: z.string().min(1).max(100),
  displayName: z.string().min(1).max(100),
});

export const GiveawayStoreWriteSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('giveaway.open'),
    /** The chat event that opened it (once per event). An open giveaway is closed first: one at a time. */
    eventId: z.string().min(1).max(100),
    keyword: z.string().regex(GIVEAWAY_KEYWORD, 'a keyword is a chat command like !join'),
    requiredRole: RoleSchema.nullable(),
    requiresFollow: z.boolean().default(false),
    openedBy: z.string().min(1).max(100),
    at: z.number(),
  }),
  z.object({
    op: z.literal('giveaway.enter'),
    giveawayId: z.number().int().positive(),
    entrant: EntrantSchema,
    at: z.number(),
  }),
  z.object({ op: z.literal('giveaway.close'), giveawayId: z.number().int().positive(), at: z.number() }),
  z.object({
    op: z.literal('giveaway.draw'),
    giveawayId: z.number().int().positive(),
    /** The chat event that drew (once per event: a retried step does not draw again). */
    eventId: z.string().min(1).max(100),
    winner: EntrantSchema,
    at: z.number(),
  }),
]);
export type GiveawayStoreWrite = z.infer<typeof GiveawayStoreWriteSchema>;
export const GIVEAWAY_STORE_OPS = ['giveaway.open', 'giveaway.enter', 'giveaway.close', 'giveaway.draw'] as const;

export type GiveawayRequest =
  | { kind: 'open'; keyword: string; requiredRole: Role | null; requiresFollow: boolean }
  | { kind: 'draw' }
  | { kind: 'redraw' }
  | { kind: 'close' }
  | { kind: 'status' }
  | { kind: 'invalid'; reason: string };

const OPEN_USAGE = '!giveaway open !keyword [subscriber|vip|moderator] [follower]';
const FOLLOW_WORDS: ReadonlySet<string> = new Set(['follower', 'followers', 'follow', 'following']);

/** The words after `!giveaway`. */
export function parseGiveawayRequest(rest: string): GiveawayRequest {
  const [action = '', keyword, role, ...extra] = rest.trim().toLowerCase().split(/\s+/u);
  switch (action) {
    case '':
      return { kind: 'status' };
    case 'draw':
    case 'redraw':
    case 'close':
      return { kind: action };
    case 'open': {
      if (!keyword) return { kind: 'invalid', reason: `usage: ${OPEN_USAGE}` };
      const word = keyword.startsWith('!') ? keyword : `!${keyword}`;
      if (!GIVEAWAY_KEYWORD.test(word))
        return { kind: 'invalid', reason: `"${keyword.slice(0, 30)}" is not a keyword like !join` };
      const words = [role, ...extra].filter((item): item is string => item !== undefined);
      if (words.length > 2) return { kind: 'invalid', reason: 'one keyword, at most one role and "follower"' };
      let requiredRole: Role | null = null;
      let requiresFollow = false;
      for (const item of words) {
        if (FOLLOW_WORDS.has(item)) {
          requiresFollow = true;
          continue;
        }
        if (requiredRole !== null) return { kind: 'invalid', reason: 'at most one role' };
        const parsed = RoleSchema.safeParse(item.replace(/s$/, ''));
        if (!parsed.success)
          return {
            kind: 'invalid',
            reason: `"${item.slice(0, 30)}" is not a role (subscriber, vip, moderator) or "follower"`,
          };
        requiredRole = parsed.data === 'viewer' ? null : parsed.data;
      }
      return { kind: 'open', keyword: word, requiredRole, requiresFollow };
    }
    default:
      return { kind: 'invalid', reason: 'usage: !giveaway open !keyword [role] | draw | redraw | close' };
  }
}

/** Roles that count as having the required one: moderators and the broadcaster meet every requirement. */
export function meetsRequirement(required: Role | null, roles: readonly Role[]): boolean {
  if (required === null) return true;
  if (roles.includes('broadcaster') || roles.includes('moderator')) return true;
  if (required === 'subscriber' && roles.includes('founder')) return true;
  return roles.includes(required);
}

/** A uniformly random entrant that has not won this giveaway yet; `random` is in [0, 1). */
export function pickWinner<T extends GiveawayEntrant>(
  entries: readonly T[],
  previousWinners: readonly GiveawayEntrant[],
  random: () => number,
): T | undefined {
  const won = new Set(previousWinners.map((winner) => `${winner.platform}:${winner.userId}`));
  const eligible = entries.filter((entry) => !won.has(`${entry.platform}:${entry.userId}`));
  if (eligible.length === 0) return undefined;
  return eligible[Math.min(eligible.length - 1, Math.floor(random() * eligible.length))];
}
