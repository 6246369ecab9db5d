/**
 * Giveaways as a reaction service on a real SQLite file (the store writer with the feature appliers
 * commits, a read-only connection reads, as in the workers), with the random source injected.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope, Role } from '../../core/envelope.js';
import { parseGiveawayRequest } from '../../core/giveaways.js';
import type { StoreWrite } from '../../core/protocol/store.js';
import { DEFAULT_RULES, RuleBook, ruleFacts } from '../../core/rules.js';
import type { Service, StepContext } from '../../core/service.js';
import { openReadConnection, type ReadDb, type WriteDb } from '../store/database.js';
import { chatEvent, migratedDb, tempDir } from '../store/test-support.js';
import { createStoreWriter, type StoreWriter } from '../store/writer.js';
import { createFeatureStoreAppliers } from './feature-store-appliers.js';
import { createGiveawayReader, type GiveawayReader } from './giveaway-store.js';
import { createGiveawaysService } from './giveaways-service.js';

let temp: ReturnType<typeof tempDir>;
let writeDb: WriteDb;
let readDb: ReadDb;
let writer: StoreWriter;
let reader: GiveawayReader;
const invalid: string[] = [];
/** The random source: each draw takes the next value. */
let randoms: number[] = [];

beforeEach(() => {
  temp = tempDir();
  writeDb = migratedDb(temp.file);
  writer = createStoreWriter(writeDb, {
    parts: { features: createFeatureStoreAppliers({ onInvalid: (op, error) => invalid.push(`${op}: ${error}`) }) },
    log: () => undefined,
  });
  readDb = openReadConnection(temp.file);
  reader = createGiveawayReader(readDb);
  invalid.length = 0;
  randoms = [];
});
afterEach(async () => {
  readDb.close();
  await writer.close();
  temp.cleanup();
});

const context: StepContext = { signal: new AbortController().signal, attempt: 1, now: () => 1_000_000 };

function chat(text: string, login: string, roles: Role[] = ['viewer']): Envelope {
  const event = chatEvent({ text, login });
  event.identity.external.roles = roles;
  return event;
}

function service(): Service {
  return createGiveawaysService({
    reader,
    commit: (batch: StoreWrite[]) => writer.write(batch),
    random: () => randoms.shift() ?? 0,
  });
}

async function say(giveaways: Service, event: Envelope) {
  const outcome = await giveaways.run(event, context);
  return { status: outcome.status, text: outcome.candidates?.[0]?.text, notes: outcome.notes ?? [] };
}

const storedEntries = () =>
  (writeDb.prepare('SELECT login FROM giveaway_entries ORDER BY entered_at, login').all() as { login: string }[]).map(
    (row) => row.login,
  );

describe('giveaways service', () => {
  it('opens with a keyword and a role requirement; one entry per user; entries stored in SQLite', async () => {
    const giveaways = service();
    expect((await say(giveaways, chat('!giveaway open !join subscriber', 'mod1', ['moderator']))).text).toBe(
      'Giveaway #1 is open: type !join to enter (subscribers only)!',
    );
    expect(await say(giveaways, chat('!join', 'viewer1'))).toMatchObject({
      status: 'SKIP',
      notes: ['giveaway #1 is for subscribers'],
    });
    expect(await say(giveaways, chat('!JOIN', 'sub1', ['subscriber']))).toMatchObject({
      status: 'OK',
      text: undefined,
      notes: ['entered giveaway #1'],
    });
    expect((await say(giveaways, chat('!join', 'sub1', ['subscriber']))).notes).toEqual([
      'already entered giveaway #1',
    ]);
    await say(giveaways, chat('!join', 'founder1', ['founder']));
    await say(giveaways, chat('!join please', 'mod2', ['moderator']));
    expect(await say(giveaways, chat('!enter', 'sub2', ['subscriber']))).toMatchObject({ status: 'SKIP' });
    expect(storedEntries()).toEqual(['founder1', 'mod2', 'sub1']);
    expect((await say(giveaways, chat('!giveaway', 'viewer1'))).text).toBe(
      'Giveaway #1 is open: type !join to enter (subscribers only). 3 entered so far.',
    );
    expect(invalid).toEqual([]);
  });

  it('draws a random winner (once per event), redraws never the same person, and ends entries', async () => {
    const giveaways = service();
    await say(giveaways, chat('!giveaway open join', 'mod1', ['moderator']));
    for (const login of ['ada', 'bob', 'cy']) await say(giveaways, chat('!join', login));

    randoms = [0.5]; // the middle of three entries: bob
    const drawEvent = chat('!giveaway draw', 'mod1', ['moderator']);
    expect((await say(giveaways, drawEvent)).text).toBe('🎉 The winner of giveaway #1 is @bob! (3 entries)');
    // A retried step announces the same winner and stores no second draw.
    randoms = [0];
    expect((await say(giveaways, drawEvent)).text).toBe('🎉 The winner of giveaway #1 is @bob! (3 entries)');
    expect(writeDb.prepare('SELECT count(*) AS n FROM giveaway_draws').get()).toEqual({ n: 1 });

    // Drawn: entries are over, and a plain draw points at redraw.
    expect(await say(giveaways, chat('!join', 'late'))).toMatchObject({ status: 'SKIP' });
    expect((await say(giveaways, chat('!giveaway draw', 'mod1', ['moderator']))).text).toMatch(
      /already has a winner: @bob\. !giveaway redraw/,
    );

    randoms = [0.99]; // last of the two left (ada, cy): cy
    expect((await say(giveaways, chat('!giveaway redraw', 'mod1', ['moderator']))).text).toBe(
      '🎉 New winner of giveaway #1 is @cy! (3 entries)',
    );
    randoms = [0.99];
    expect((await say(giveaways, chat('!giveaway redraw', 'mod1', ['moderator']))).text).toContain('@ada!');
    expect((await say(giveaways, chat('!giveaway redraw', 'mod1', ['moderator']))).text).toBe(
      'Giveaway #1 has nobody left who has not won.',
    );
    expect(reader.latest()?.winners.map((winner) => winner.login)).toEqual(['bob', 'cy', 'ada']);
    expect(storedEntries()).toEqual(['ada', 'bob', 'cy']);
  });

  it('close stops entries; a new giveaway closes the old one; viewers cannot run it', async () => {
    const giveaways = service();
    expect(await say(giveaways, chat('!giveaway open !join', 'viewer1'))).toMatchObject({
      status: 'SKIP',
      notes: ['running a giveaway needs moderator'],
    });
    expect(reader.latest()).toBeUndefined();

    await say(giveaways, chat('!giveaway open !join', 'streamer', ['broadcaster']));
    await say(giveaways, chat('!join', 'ada'));
    expect((await say(giveaways, chat('!giveaway close', 'mod1', ['moderator']))).text).toBe(
      'Giveaway #1 is closed with 1 entered. !giveaway draw picks the winner.',
    );
    expect(await say(giveaways, chat('!join', 'bob'))).toMatchObject({ status: 'SKIP' });

    await say(giveaways, chat('!giveaway open !raffle', 'mod1', ['moderator']));
    await say(giveaways, chat('!giveaway open !second', 'mod1', ['moderator']));
    expect(reader.list(10).map((giveaway) => [giveaway.id, giveaway.keyword, giveaway.status])).toEqual([
      [3, '!second', 'open'],
      [2, '!raffle', 'closed'],
      [1, '!join', 'closed'],
    ]);
    expect((await say(giveaways, chat('!giveaway draw', 'mod1', ['moderator']))).text).toBe(
      'Giveaway #3 has no entries.',
    );
    expect((await say(giveaways, chat('!giveaway open', 'mod1', ['moderator']))).text).toMatch(/^usage:/);
  });

  it('parses the moderator commands with field-level reasons', () => {
    expect(parseGiveawayRequest('open !Join VIPs')).toEqual({
      kind: 'open',
      keyword: '!join',
      requiredRole: 'vip',
      requiresFollow: false,
    });
    expect(parseGiveawayRequest('open join')).toEqual({
      kind: 'open',
      keyword: '!join',
      requiredRole: null,
      requiresFollow: false,
    });
    expect(parseGiveawayRequest('open !join follower')).toEqual({
      kind: 'open',
      keyword: '!join',
      requiredRole: null,
      requiresFollow: true,
    });
    expect(parseGiveawayRequest('open !join followers subscribers')).toEqual({
      kind: 'open',
      keyword: '!join',
      requiredRole: 'subscriber',
      requiresFollow: true,
    });
    expect(parseGiveawayRequest('open !join vip subs')).toMatchObject({
      kind: 'invalid',
      reason: /"subs" is not a role/,
    });
    expect(parseGiveawayRequest('open !join vip follower extra')).toMatchObject({ kind: 'invalid' });
    expect(parseGiveawayRequest('open !join wizards')).toMatchObject({ kind: 'invalid', reason: /not a role/ });
    expect(parseGiveawayRequest('open !a:b')).toMatchObject({ kind: 'invalid', reason: /not a keyword/ });
    expect(parseGiveawayRequest('spin')).toMatchObject({ kind: 'invalid' });
  });

  it('the default chat-commands rule runs the giveaways step first', () => {
    const rule = new RuleBook(DEFAULT_RULES).match('reaction', ruleFacts(chat('!join', 'ada')))[0];
    expect(rule?.id).toBe('chat-commands');
    expect(rule?.slip[0]).toBe('giveaways');
  });
});
