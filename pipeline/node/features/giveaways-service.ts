/**
 * The `giveaways` reaction service (first step of the chat-commands rule): `!giveaway open !join [role]`,
 * `!giveaway draw`, `!giveaway redraw`, `!giveaway close` from moderators and the broadcaster; `!giveaway`
 * alone tells anyone what is open; a chatter who types the open giveaway's keyword enters it (silently:
 * a reply per entry would flood chat; the slip says what happened).
 *
 * Every change is committed before the reply that reports it. The open and the draw carry the chat
 * event's id, so a retried or resumed step finds them instead of opening or drawing again.
 */
import { KnownEventTypes, type Envelope, type Role } from '../../core/envelope.js';
import {
  meetsRequirement,
  parseGiveawayRequest,
  pickWinner,
  type Giveaway,
  type GiveawayEntrant,
} from '../../core/giveaways.js';
import type { StoreWrite } from '../../core/protocol/store.js';
import { StepFailure, type Service, type StepContext, type StepOutcome, SERVICE_IDS } from '../../core/service.js';
import { HelixError } from '../connectors/twitch/helix-channel.js';
import type { GiveawayReader } from './giveaway-store.js';
import type { ReactionTwitch } from '../twitch-integration/reaction-twitch.js';
import { missingFollowScope } from '../connectors/twitch/helix-channel.js';

/** Whether follows can be checked now, and how. */
export type FollowCheck =
  { ok: true; followedAt(userId: string): Promise<number | null> } | { ok: false; reason: string };

/** The scope Get Channel Followers needs to list one user (without it Twitch answers only the total). */
/** Follow checks with the linked broadcaster's token, or why there are none. */
export function followCheckFor(twitch: Pick<ReactionTwitch, 'helix' | 'broadcaster'> | undefined): FollowCheck {
  const helix = twitch?.helix();
  const broadcaster = twitch?.broadcaster();
  if (!helix || !broadcaster)
    return { ok: false, reason: 'no broadcaster account is linked (Connections → Twitch) to check follows with' };
  // Refused when the giveaway opens, not at each !join (the lookup would refuse every one).
  const missing = missingFollowScope(broadcaster.scopes);
  if (missing) return { ok: false, reason: missing };
  return { ok: true, followedAt: (userId) => helix.followedAt(userId) };
}

export interface GiveawaysServiceDeps {
  reader: GiveawayReader;
  /** How follows are checked on Twitch (`followCheckFor`); absent: follower giveaways cannot open. */
  follows?: () => FollowCheck;
  commit(batch: StoreWrite[]): Promise<void>;
  /** [0, 1): which entry wins; tests pass a fixed sequence. */
  random?: () => number;
  newId?: () => string;
}

export const GIVEAWAY_COMMAND = '!giveaway';
const INVISIBLE_CHARACTERS = /[\u034f\u200b-\u200d\u2060\ufeff\u{e0000}-\u{e007f}]/gu;

export function createGiveawaysService(deps: GiveawaysServiceDeps): Service {
  const random = deps.random ?? Math.random;
  const newId = deps.newId ?? (() => crypto.randomUUID());

  const reply = (text: string, notes: string[]): StepOutcome => ({
    status: 'OK',
    notes,
    candidates: [
      {
        id: newId(),
        text,
        source: 'giveaways',
        priority: 100,
        confidence: 1,
        status: 'proposed',
        reason: 'giveaways',
      },
    ],
  });

  async function commit(batch: StoreWrite[]): Promise<void> {
    try {
      await deps.commit(batch);
    } catch (error) {
      throw new StepFailure('GIVEAWAY_WRITE', `could not save the giveaway: ${String(error)}`, true);
    }
  }

  function describe(giveaway: Giveaway): string {
    const who = giveaway.requiredRole ? `${giveaway.requiredRole}s` : '';
    const follow = giveaway.requiresFollow ? (who ? ' who follow' : 'followers') : '';
    return `type ${giveaway.keyword} to enter${who || follow ? ` (${who}${follow} only)` : ''}`;
  }

  /** Whether the chatter follows the channel, asked on Twitch; a reason when it cannot be told. */
  async function follows(
    event: Readonly<Envelope>,
    giveaway: Giveaway,
  ): Promise<{ ok: true; following: boolean } | { ok: false; note: string }> {
    const external = event.identity.external;
    if (external.platform !== 'twitch')
      return { ok: false, note: `giveaway #${giveaway.id} is for followers: only Twitch chatters can be checked` };
    const check = deps.follows?.() ?? { ok: false, reason: 'follow checks are not available here' };
    if (!check.ok) return { ok: false, note: `giveaway #${giveaway.id} is for followers, but ${check.reason}` };
    try {
      return { ok: true, following: (await check.followedAt(external.id)) !== null };
    } catch (error) {
      // Twitch down or slow: try again; refused (a token without moderator:read:followers): say so.
      const status = error instanceof HelixError ? error.status : undefined;
      const retryable = status === undefined || status === 429 || status >= 500;
      throw new StepFailure(
        'GIVEAWAY_FOLLOW_CHECK',
        `could not check the follow on Twitch: ${String(error)}`,
        retryable,
      );
    }
  }

  async function draw(event: Readonly<Envelope>, redraw: boolean, now: number): Promise<StepOutcome> {
    const giveaway = deps.reader.open() ?? deps.reader.latest();
    if (!giveaway) return reply('There is no giveaway to draw from. Open one with !giveaway open !join', []);
    let winner: GiveawayEntrant | undefined = deps.reader.drawnBy(event.id);
    if (!winner) {
      if (!redraw && giveaway.winners.length > 0) {
        const last = giveaway.winners.at(-1)!;
        return reply(`Giveaway #${giveaway.id} already has a winner: @${last.login}. !giveaway redraw draws another.`, [
          'already drawn',
        ]);
      }
      winner = pickWinner(deps.reader.entries(giveaway.id), giveaway.winners, random);
      if (!winner) {
        const why = giveaway.entries === 0 ? 'has no entries' : 'has nobody left who has not won';
        return reply(`Giveaway #${giveaway.id} ${why}.`, [`giveaway #${giveaway.id}: nobody to draw`]);
      }
      // Entries end with the first draw: the winner is announced from a fixed list.
      await commit([
        { op: 'giveaway.close', giveawayId: giveaway.id, at: now },
        { op: 'giveaway.draw', giveawayId: giveaway.id, eventId: event.id, winner, at: now },
      ]);
      winner = deps.reader.drawnBy(event.id);
      if (!winner) throw new StepFailure('GIVEAWAY_WRITE', 'the draw was not stored', true);
    }
    const entries = deps.reader.byId(giveaway.id)?.entries ?? giveaway.entries;
    return reply(
      `🎉 ${redraw ? 'New winner' : 'The winner'} of giveaway #${giveaway.id} is @${winner.login}! (${entries} ${entries === 1 ? 'entry' : 'entries'})`,
      [`${redraw ? 'redrew' : 'drew'} ${winner.login} in giveaway #${giveaway.id}`],
    );
  }

  async function manage(event: Readonly<Envelope>, rest: string, roles: readonly Role[], now: number) {
    const request = parseGiveawayRequest(rest);
    const external = event.identity.external;
    if (request.kind === 'status') {
      const open = deps.reader.open();
      return open
        ? reply(`Giveaway #${open.id} is open: ${describe(open)}. ${open.entries} entered so far.`, ['status'])
        : reply('No giveaway is open right now.', ['status']);
    }
    if (!roles.includes('moderator') && !roles.includes('broadcaster')) {
      return { status: 'SKIP' as const, notes: ['running a giveaway needs moderator'] };
    }
    switch (request.kind) {
      case 'invalid':
        return reply(request.reason, ['invalid giveaway command']);
      case 'open': {
        let giveaway = deps.reader.openedBy(event.id);
        const followCheck = request.requiresFollow ? deps.follows?.() : undefined;
        if (!giveaway && request.requiresFollow && !followCheck?.ok) {
          const why = followCheck && !followCheck.ok ? followCheck.reason : 'follow checks are not available here';
          return reply(`A giveaway for followers cannot open: ${why}. Open it without "follower", or fix that first.`, [
            `follower giveaway refused: ${why}`,
          ]);
        }
        if (!giveaway) {
          await commit([
            {
              op: 'giveaway.open',
              eventId: event.id,
              keyword: request.keyword,
              requiredRole: request.requiredRole,
              requiresFollow: request.requiresFollow,
              openedBy: external.login,
              at: now,
            },
          ]);
          giveaway = deps.reader.openedBy(event.id);
        }
        if (!giveaway) throw new StepFailure('GIVEAWAY_WRITE', 'the giveaway was not stored', true);
        return reply(`Giveaway #${giveaway.id} is open: ${describe(giveaway)}!`, [`opened giveaway #${giveaway.id}`]);
      }
      case 'close': {
        const open = deps.reader.open();
        if (!open) return reply('No giveaway is open.', ['nothing to close']);
        await commit([{ op: 'giveaway.close', giveawayId: open.id, at: now }]);
        return reply(`Giveaway #${open.id} is closed with ${open.entries} entered. !giveaway draw picks the winner.`, [
          `closed giveaway #${open.id}`,
        ]);
      }
      case 'draw':
      case 'redraw':
        return draw(event, request.kind === 'redraw', now);
    }
  }

  async function run(event: Readonly<Envelope>, context: StepContext): Promise<StepOutcome> {
    if (event.type !== KnownEventTypes.chatMessage) return { status: 'SKIP', notes: ['not a chat message'] };
    const text = (event.message?.text ?? '').replace(INVISIBLE_CHARACTERS, '').trim();
    const [first = '', ...rest] = text.split(/\s+/u);
    const word = first.toLowerCase();
    const roles = event.identity.user?.roles ?? event.identity.external.roles;
    const now = context.now();
    if (word === GIVEAWAY_COMMAND) return manage(event, rest.join(' '), roles, now);

    const open = deps.reader.open();
    if (!open || word !== open.keyword) return { status: 'SKIP', notes: ['not a giveaway command'] };
    if (!meetsRequirement(open.requiredRole, roles)) {
      return { status: 'SKIP', notes: [`giveaway #${open.id} is for ${open.requiredRole}s`] };
    }
    const external = event.identity.external;
    if (deps.reader.hasEntered(open.id, external.platform, external.id)) {
      return { status: 'OK', notes: [`already entered giveaway #${open.id}`] };
    }
    // Moderators and the broadcaster meet every requirement (the broadcaster cannot follow themselves).
    if (open.requiresFollow && !roles.includes('broadcaster') && !roles.includes('moderator')) {
      const checked = await follows(event, open);
      if (!checked.ok) return { status: 'SKIP', notes: [checked.note] };
      if (!checked.following)
        return reply(`@${external.login}, follow the channel to enter giveaway #${open.id}.`, [
          `not following: no entry in giveaway #${open.id}`,
        ]);
    }
    await commit([
      {
        op: 'giveaway.enter',
        giveawayId: open.id,
        entrant: {
          platform: external.platform,
          userId: external.id,
          login: external.login,
          displayName: external.displayName,
        },
        at: now,
      },
    ]);
    return { status: 'OK', notes: [`entered giveaway #${open.id}`] };
  }

  return { id: SERVICE_IDS.giveaways, phase: 'reaction', run };
}
