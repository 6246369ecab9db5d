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
import type { GiveawayReader } from './giveaway-store.js';

export interface GiveawaysServiceDeps {
  reader: GiveawayReader;
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
    const who = giveaway.requiredRole ? ` (${giveaway.requiredRole}s only)` : '';
    return `type ${giveaway.keyword} to enter${who}`;
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
        if (!giveaway) {
          await commit([
            {
              op: 'giveaway.open',
              eventId: event.id,
              keyword: request.keyword,
              requiredRole: request.requiredRole,
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
