/**
 * Counters and quotes as reaction services on a real SQLite file: the store writer with the
 * feature appliers commits, a read-only connection reads, as in the workers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope, Role } from '../../core/envelope.js';
import type { StoreWrite } from '../../core/protocol/store.js';
import type { Service, StepContext, StepOutcome } from '../../core/service.js';
import { createCommandsService } from '../services/commands.js';
import { openReadConnection, type ReadDb, type WriteDb } from '../store/database.js';
import { chatEvent, migratedDb, tempDir } from '../store/test-support.js';
import { createStoreWriter, type StoreWriter } from '../store/writer.js';
import { createCountersService } from './counters-service.js';
import { createFeatureApi } from './feature-api.js';
import { createGiveawayReader } from './giveaway-store.js';
import { createFeatureReader, STREAM_EVENT_TYPES, type FeatureReader } from './feature-reader.js';
import { createFeatureStoreAppliers } from './feature-store-appliers.js';
import { createQuotesService } from './quotes-service.js';

let temp: ReturnType<typeof tempDir>;
let writeDb: WriteDb;
let readDb: ReadDb;
let writer: StoreWriter;
let reader: FeatureReader;
const invalid: string[] = [];

beforeEach(() => {
  temp = tempDir();
  writeDb = migratedDb(temp.file);
  writer = createStoreWriter(writeDb, {
    parts: { features: createFeatureStoreAppliers({ onInvalid: (op, error) => invalid.push(`${op}: ${error}`) }) },
    log: () => undefined,
  });
  readDb = openReadConnection(temp.file);
  reader = createFeatureReader(readDb);
  invalid.length = 0;
});
afterEach(async () => {
  readDb.close();
  await writer.close();
  temp.cleanup();
});

const commit = (batch: StoreWrite[]) => writer.write(batch);
const context: StepContext = { signal: new AbortController().signal, attempt: 1, now: () => 1_000_000 };

function chat(text: string, login = 'viewer1', roles: Role[] = ['viewer']): Envelope {
  const event = chatEvent({ text, login });
  event.identity.external.roles = roles;
  return event;
}

async function replyOf(service: Service, event: Envelope): Promise<{ outcome: StepOutcome; text: string | undefined }> {
  const outcome = await service.run(event, context);
  return { outcome, text: outcome.candidates?.[0]?.text };
}

describe('counters service', () => {
  it('starts with the !deaths counter; moderators change it atomically, everyone reads it', async () => {
    const counters = createCountersService({ reader, commit });
    expect((await replyOf(counters, chat('!deaths'))).text).toBe('Deaths so far: 0 💀');
    expect((await replyOf(counters, chat('!deaths +1', 'mod1', ['moderator']))).text).toBe('Deaths so far: 1 💀');
    expect((await replyOf(counters, chat('!DEATHS +2', 'mod1', ['moderator']))).text).toBe('Deaths so far: 3 💀');

    const refused = await replyOf(counters, chat('!deaths +1', 'viewer2'));
    expect(refused.outcome.status).toBe('SKIP');
    expect(refused.outcome.notes?.[0]).toMatch(/needs moderator/);
    expect(reader.counterValue('deaths', '')).toBe(3);

    expect((await replyOf(counters, chat('!deaths = 0', 'streamer', ['broadcaster']))).text).toBe(
      'Deaths so far: 0 💀',
    );
    expect((await replyOf(counters, chat('!deaths is a word'))).outcome.status).toBe('SKIP');
    expect((await replyOf(counters, chat('!hello'))).outcome.status).toBe('SKIP');
  });

  it('applies a change once per event: a retried step replies with the same value', async () => {
    const counters = createCountersService({ reader, commit });
    const event = chat('!deaths +1', 'mod1', ['moderator']);
    expect((await replyOf(counters, event)).text).toBe('Deaths so far: 1 💀');
    expect((await replyOf(counters, event)).text).toBe('Deaths so far: 1 💀');
    expect(reader.counterValue('deaths', '')).toBe(1);
    // Concurrent changes from different events all count.
    await Promise.all(
      Array.from({ length: 20 }, () => counters.run(chat('!deaths +1', 'mod1', ['moderator']), context)),
    );
    expect(reader.counterValue('deaths', '')).toBe(21);
  });

  it('keeps per-user counters per login, and a named user is changed by name', async () => {
    const api = createFeatureApi({
      reader,
      giveaways: createGiveawayReader(readDb),
      commit,
      backups: { dataDir: temp.dir, db: readDb, keep: () => 3 },
    });
    const saved = await api['counters.save']({
      counter: {
        name: 'hugs',
        scope: 'user',
        command: '!hugs',
        template: '{target} has {count:hugs} hugs',
        editRoles: ['viewer'],
      },
    });
    expect(saved.ok).toBe(true);
    const counters = createCountersService({ reader, commit });
    expect((await replyOf(counters, chat('!hugs +1', 'alice'))).text).toBe('alice has 1 hugs');
    expect((await replyOf(counters, chat('!hugs @Bob +5', 'alice'))).text).toBe('Bob has 5 hugs');
    expect((await replyOf(counters, chat('!hugs', 'bob'))).text).toBe('bob has 5 hugs');
    expect(await api['counters.values']({ name: 'hugs' })).toMatchObject([
      { scopeKey: 'bob', value: 5 },
      { scopeKey: 'alice', value: 1 },
    ]);
  });

  it('{count:NAME} and {uptime} work in any command template', async () => {
    const commands = createCommandsService({
      commands: () => [
        {
          id: 'status',
          enabled: true,
          trigger: { kind: 'exact', text: '!status' },
          template: 'deaths {count:deaths}, live for {uptime}, {target}',
          roles: [],
          userCooldownSeconds: 0,
          globalCooldownSeconds: 0,
        },
      ],
      variables: reader,
      now: () => 1_000_000 + 3_725_000,
    });
    await commit([{ op: 'counter.setValue', name: 'deaths', scopeKey: '', value: 4, at: 1 }]);
    expect((await replyOf(commands, chat('!status'))).text).toBe('deaths 4, live for not live right now, viewer1');

    const online = chatEvent({ type: STREAM_EVENT_TYPES.online, login: 'streamer' });
    online.details = { startedAt: 1_000_000 };
    await commit([{ op: 'event.upsert', event: online }]);
    expect((await replyOf(commands, chat('!status'))).text).toBe('deaths 4, live for 1h 2m, viewer1');
    await commit([
      {
        op: 'event.upsert',
        event: chatEvent({ type: STREAM_EVENT_TYPES.offline, login: 'streamer', at: online.ingress.at + 1 }),
      },
    ]);
    expect(reader.stream()).toEqual({ live: false, startedAt: null });
  });

  it('rejects invalid counters with the field named, and an invalid op never reaches the table', async () => {
    const api = createFeatureApi({
      reader,
      giveaways: createGiveawayReader(readDb),
      commit,
      backups: { dataDir: temp.dir, db: readDb, keep: () => 3 },
    });
    const bad = await api['counters.save']({ counter: { name: 'x', command: 'two words' } });
    expect(bad).toEqual({ ok: false, error: expect.stringContaining('command') });
    const clash = await api['counters.save']({ counter: { name: 'other', command: '!deaths' } });
    expect(clash).toEqual({ ok: false, error: expect.stringContaining('already belongs to counter deaths') });
    await writer.write([{ op: 'counter.setValue', name: 'deaths', scopeKey: '', value: 1.5, at: 1 } as never]);
    expect(invalid).toEqual([expect.stringContaining('counter.setValue')]);
    expect(reader.counterValue('deaths', '')).toBe(0);
    expect(await api['counters.delete']({ name: 'deaths' })).toEqual({ ok: true });
    expect(reader.counters()).toEqual([]);
  });
});

describe('quotes service', () => {
  it('adds (mods and VIPs), shows by number, searches and picks at random', async () => {
    const quotes = createQuotesService({ reader, commit });
    expect((await replyOf(quotes, chat('!quote'))).text).toMatch(/No quotes yet/);
    const refused = await replyOf(quotes, chat('!quote add nope'));
    expect(refused.outcome.status).toBe('SKIP');

    const add = chat('!quote add @Streamer I never miss a jump', 'vip1', ['vip']);
    expect((await replyOf(quotes, add)).text).toBe('Added quote #1.');
    // The same event again (a retried step) adds nothing.
    expect((await replyOf(quotes, add)).text).toBe('Added quote #1.');
    expect((await replyOf(quotes, chat('!quote add the chat is always right', 'mod1', ['moderator']))).text).toBe(
      'Added quote #2.',
    );
    expect((await replyOf(quotes, chat('!quote 1'))).text).toBe('#1: "I never miss a jump" — Streamer');
    expect((await replyOf(quotes, chat('!quote #2'))).text).toBe('#2: "the chat is always right" — streamer');
    expect((await replyOf(quotes, chat('!quote 9'))).text).toBe('There is no quote #9.');
    expect((await replyOf(quotes, chat('!quote search JUMP'))).text).toContain('#1');
    expect((await replyOf(quotes, chat('!quote always right'))).text).toContain('#2');
    expect((await replyOf(quotes, chat('!quote 100%_'))).text).toMatch(/No quote matches/);
    expect((await replyOf(quotes, chat('!quote'))).text).toMatch(/^#[12]: /);
    const stored = reader.quote(1)!;
    expect(stored).toMatchObject({ saidBy: 'Streamer', addedBy: 'vip1', game: null });
    expect(stored.addedAt).toBe(1_000_000);
  });

  it('lists, edits and deletes from the console; a quote never starts a Twitch command', async () => {
    const api = createFeatureApi({
      reader,
      giveaways: createGiveawayReader(readDb),
      commit,
      backups: { dataDir: temp.dir, db: readDb, keep: () => 3 },
      now: () => 5,
    });
    const added = await api['quotes.save']({ quote: { text: '/ban everyone', saidBy: 'troll' }, moderator: 'mod1' });
    expect(added).toMatchObject({ ok: true, value: { id: 1, addedBy: 'console:mod1', addedAt: 5 } });
    const quotes = createQuotesService({ reader, commit, settings: () => ({ addRoles: [], template: '{text}' }) });
    expect((await replyOf(quotes, chat('!quote 1'))).text).toBe('ban everyone');

    expect(
      await api['quotes.save']({ id: 1, quote: { text: 'better', saidBy: 'troll', game: 'Celeste' }, moderator: 'm' }),
    ).toMatchObject({
      ok: true,
      value: { text: 'better', game: 'Celeste' },
    });
    expect(await api['quotes.save']({ id: 1, quote: { text: '', saidBy: 'x' }, moderator: 'm' })).toEqual({
      ok: false,
      error: expect.stringContaining('text'),
    });
    expect((await api['quotes.list']({ search: 'bett' })).map((quote) => quote.id)).toEqual([1]);
    expect(await api['quotes.delete']({ id: 1 })).toEqual({ ok: true });
    expect(await api['quotes.delete']({ id: 1 })).toEqual({ ok: false });
    expect(await api['quotes.list']({})).toEqual([]);
  });
});
