import { describe, expect, it } from 'vitest';
import type { Approval } from '../../core/approval.js';
import type { Envelope } from '../../core/envelope.js';
import { toFtsQuery, type StoreReader } from './reader.js';
import { waitUntil } from '../../../test/support/wait.js';
import { chatEvent, logOps, storePerTest } from './test-support.js';
import type { StoreWrite } from '../../core/protocol/store.js';

const fixture = storePerTest();

async function store(...events: Envelope[]): Promise<void> {
  await fixture.writer.write(events.map((event): StoreWrite => ({ op: 'event.upsert', event })));
}

/** Search is indexed behind the commits (at most ~1 s): waits until every stored row is indexed. */
async function searchable(): Promise<void> {
  await waitUntil('every event indexed for search', () => {
    const { last, indexed } = fixture.db
      .prepare(
        `SELECT (SELECT coalesce(max(rowid), 0) FROM events) AS last,
                (SELECT CAST(value AS INTEGER) FROM store_meta WHERE key = 'search.indexed_rowid') AS indexed`,
      )
      .get() as { last: number; indexed: number };
    return indexed >= last;
  });
}

function approval(eventId: string, id: string, state: Approval['state'], heldAt: number): Approval {
  return {
    id,
    eventId,
    candidateId: 'c1',
    state,
    policy: { mode: 'require', expireSeconds: 300 },
    reason: 'held for review',
    heldAt,
    autoSendAt: null,
    expiresAt: heldAt + 300_000,
    decidedBy: null,
    decidedAt: null,
    console: null,
    originalText: 'hello!',
    finalText: null,
    note: null,
  };
}

describe('listEvents', () => {
  it('pages newest first without gaps or duplicates, also across equal timestamps', async () => {
    // 57 events over 10 distinct timestamps: many ties, which a cursor on `at` alone would skip.
    const events = Array.from({ length: 57 }, (_, i) => chatEvent({ at: 1_000 + (i % 10), text: `msg ${i}` }));
    await store(...events);
    const seen: string[] = [];
    let cursor: { at: number; id: string } | null | undefined;
    let pages = 0;
    do {
      const page = fixture.reader.listEvents({ limit: 10, ...(cursor ? { before: cursor } : {}) });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.next;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(6);
    expect(new Set(seen).size).toBe(57);
    const expected = [...events]
      .sort((a, b) => b.ingress.at - a.ingress.at || (a.id < b.id ? 1 : -1))
      .map((event) => event.id);
    expect(seen).toEqual(expected);
  });

  it('says there is no next page when the last page is exactly full', async () => {
    await store(...Array.from({ length: 4 }, (_, i) => chatEvent({ at: i })));
    expect(fixture.reader.listEvents({ limit: 4 }).next).toBeNull();
    expect(fixture.reader.listEvents({ limit: 3 }).next).not.toBeNull();
  });

  it('returns summaries of the stored envelopes', async () => {
    const event = chatEvent({ login: 'SomeViewer', text: 'hi there', at: 42 });
    await store(event);
    const [item] = fixture.reader.listEvents({}).items;
    expect(item).toMatchObject({ id: event.id, login: 'SomeViewer', text: 'hi there', at: 42, stage: 'initial' });
    expect(typeof item!.updatedAt).toBe('number');
  });

  it('filters by type, disposition, open, stage, user, since and until', async () => {
    const follow = chatEvent({ type: 'twitch.follow.v1', at: 10, login: 'Alice' });
    const replied = chatEvent({ at: 20, disposition: 'replied', login: 'Bob' });
    const filtered = chatEvent({ at: 30, disposition: 'filtered', login: 'alice' });
    const open = chatEvent({ at: 40, login: 'Carol' });
    const enriching = { ...structuredClone(open), id: crypto.randomUUID() };
    enriching.ingress.at = 50;
    enriching.routing.stage = 'enrichment';
    await store(follow, replied, filtered, open, enriching);
    const ids = (query: Parameters<StoreReader['listEvents']>[0]) =>
      fixture.reader.listEvents(query).items.map((item) => item.id);

    expect(ids({ type: 'twitch.follow.v1' })).toEqual([follow.id]);
    expect(ids({ disposition: 'replied' })).toEqual([replied.id]);
    expect(ids({ disposition: 'open' })).toEqual([enriching.id, open.id, follow.id]);
    expect(ids({ stage: 'enrichment' })).toEqual([enriching.id]);
    expect(ids({ stage: 'terminal' })).toEqual([filtered.id, replied.id]);
    expect(ids({ user: 'ALICE' })).toEqual([filtered.id, follow.id]);
    expect(ids({ user: '@alice', disposition: 'filtered' })).toEqual([filtered.id]);
    expect(ids({ since: 20, until: 40 })).toEqual([open.id, filtered.id, replied.id]);
  });

  it('refuses an invalid query with a clear error', () => {
    expect(() => fixture.reader.listEvents({ limit: 0 })).toThrow(/invalid event query.*limit/s);
  });

  it('searches message text, matching words as typed whatever FTS syntax they contain', async () => {
    const hello = chatEvent({ text: 'Hello streamer, nice Café run' });
    const quoted = chatEvent({ text: 'he said "foo OR bar" loudly' });
    const other = chatEvent({ text: 'completely unrelated' });
    await store(hello, quoted, other);
    // Not searchable in the commit itself: the index follows in a batch of its own.
    expect(fixture.reader.listEvents({ text: 'hello' }).items).toEqual([]);
    await searchable();
    const ids = (text: string) =>
      fixture.reader
        .listEvents({ text })
        .items.map((item) => item.id)
        .sort();

    expect(ids('hello')).toEqual([hello.id]);
    expect(ids('STREAMER hello')).toEqual([hello.id]);
    expect(ids('cafe')).toEqual([hello.id]);
    expect(ids('hello unrelated')).toEqual([]);
    expect(ids('foo bar')).toEqual([quoted.id]);
    for (const hostile of [
      '"foo OR',
      '*',
      'foo*',
      'NEAR(foo bar)',
      'AND',
      '"',
      "'); DROP TABLE events; --",
      '^x',
      'a:b',
      '(((',
    ]) {
      expect(() => fixture.reader.listEvents({ text: hostile }), hostile).not.toThrow();
    }
    expect(ids('"foo OR')).toEqual([quoted.id]);
    expect(ids('*')).toEqual([]);
    expect(ids('   ')).toHaveLength(3);
    expect(fixture.reader.listEvents({}).items).toHaveLength(3);
  });

  it('follows text edits and deletes of indexed rows (the guarded update and delete triggers)', async () => {
    const event = chatEvent({ text: 'original words' });
    const unindexed = chatEvent({ text: 'gone before indexing' });
    await store(event);
    await searchable();
    await store({ ...event, message: { text: 'edited words' } });
    expect(fixture.reader.listEvents({ text: 'original' }).items).toHaveLength(0);
    expect(fixture.reader.listEvents({ text: 'edited' }).items).toHaveLength(1);
    fixture.db.prepare('DELETE FROM events WHERE id = ?').run(event.id);
    expect(fixture.reader.listEvents({ text: 'words' }).items).toHaveLength(0);
    // A row deleted before the indexer saw it leaves the index alone (a delete of what it never held would corrupt it).
    await store(unindexed);
    fixture.db.prepare('DELETE FROM events WHERE id = ?').run(unindexed.id);
    await store(chatEvent({ text: 'after the gap' }));
    await searchable();
    expect(fixture.reader.listEvents({ text: 'after' }).items).toHaveLength(1);
    // FTS5's integrity-check throws SQLITE_CORRUPT_VTAB when the index and the table disagree.
    expect(() =>
      fixture.db.prepare("INSERT INTO events_fts(events_fts) VALUES ('integrity-check')").run(),
    ).not.toThrow();
  });
});

describe('toFtsQuery', () => {
  it('quotes every word and drops words with nothing to index', () => {
    expect(toFtsQuery('foo "bar')).toBe('"foo" """bar"');
    expect(toFtsQuery('* - ()')).toBeNull();
  });
});

describe('events', () => {
  it('getEvent returns the envelope, transitions in order with seq, approvals and deliveries', async () => {
    const event = chatEvent();
    await fixture.writer.write([
      { op: 'event.upsert', event },
      ...logOps([
        {
          eventId: event.id,
          stage: 'enrichment',
          index: 0,
          service: 'auth',
          phase: 'enrichment',
          status: 'RUNNING',
          attempt: 1,
          at: 5,
        },
        {
          eventId: event.id,
          stage: 'enrichment',
          index: 0,
          service: 'auth',
          phase: 'enrichment',
          status: 'ERROR',
          attempt: 1,
          at: 6,
          durationMs: 1.5,
          error: { code: 'TIMEOUT', message: 'slow', retryable: true },
          notes: ['retrying'],
        },
      ]),
      { op: 'approval.upsert', approval: approval(event.id, 'a1', 'held', 7) },
    ]);
    await fixture.writer.claimDelivery({
      key: `${event.id}:c1:console`,
      eventId: event.id,
      connector: 'console',
      text: 'hi',
      at: 8,
    });
    const detail = fixture.reader.getEvent(event.id)!;
    expect(detail.event).toEqual(event);
    expect(detail.transitions.map((t) => t.status)).toEqual(['RUNNING', 'ERROR']);
    expect(detail.transitions[0]!.seq).toBeLessThan(detail.transitions[1]!.seq);
    expect(detail.transitions[1]).toMatchObject({
      durationMs: 1.5,
      error: { code: 'TIMEOUT', message: 'slow', retryable: true },
      notes: ['retrying'],
    });
    expect(detail.transitions[0]).not.toHaveProperty('error');
    expect(detail.approvals).toEqual([approval(event.id, 'a1', 'held', 7)]);
    expect(detail.deliveries).toEqual([
      { key: `${event.id}:c1:console`, connector: 'console', status: 'claimed', detail: null, at: 8, text: 'hi' },
    ]);
    expect(fixture.reader.getEvent('missing')).toBeNull();
  });

  it('openEvents returns unfinished events oldest first, for resume', async () => {
    const late = chatEvent({ at: 30 });
    const early = chatEvent({ at: 10 });
    await store(late, early, chatEvent({ at: 20, disposition: 'ignored' }));
    expect(fixture.reader.openEvents().map((event) => event.id)).toEqual([early.id, late.id]);
  });
});

describe('approvals, rules, settings, users', () => {
  it('lists open approvals oldest first and all approvals newest first', async () => {
    await fixture.writer.write([
      { op: 'approval.upsert', approval: approval('e1', 'a2', 'held', 20) },
      { op: 'approval.upsert', approval: approval('e1', 'a1', 'held', 10) },
      // A record closed by a regenerate is not open: its event gets a new held reply.
      { op: 'approval.upsert', approval: approval('e1', 'a0', 'regenerating', 5) },
      { op: 'approval.upsert', approval: { ...approval('e2', 'a3', 'approved', 30), decidedBy: 'mod', decidedAt: 31 } },
    ]);
    expect(fixture.reader.listApprovals({ open: true }).map((a) => a.id)).toEqual(['a1', 'a2']);
    expect(fixture.reader.listApprovals({ open: false, limit: 2 }).map((a) => a.id)).toEqual(['a3', 'a2']);
    expect(fixture.reader.listApprovals({ open: false }).map((a) => a.id)).toContain('a0');
    expect(fixture.reader.getApproval('a3')?.decidedBy).toBe('mod');
    expect(fixture.reader.getApproval('nope')).toBeNull();
  });

  it('keeps the safety findings and the override of an approval (the audit of "send anyway")', async () => {
    const hold = {
      findings: [{ check: 'link' as const, kind: 'disguised domain', found: 'nitro.xyz', overridable: true }],
    };
    await fixture.writer.write([
      { op: 'approval.upsert', approval: { ...approval('e9', 'a9', 'approved', 9), hold, override: true } },
      { op: 'approval.upsert', approval: approval('e9', 'a8', 'held', 8) },
    ]);
    expect(fixture.reader.getApproval('a9')).toMatchObject({ hold, override: true });
    const plain = fixture.reader.getApproval('a8')!;
    expect('hold' in plain || 'override' in plain).toBe(false);
  });

  it('loads rules and commands, skipping stored ones that no longer parse', async () => {
    await fixture.writer.write([
      {
        op: 'rule.upsert',
        rule: {
          id: 'r1',
          name: '',
          description: '',
          enabled: true,
          priority: 1,
          stage: 'reaction',
          when: true,
          slip: ['commands'],
          enrichments: {},
          approval: { mode: 'auto' },
          maxAttempts: 3,
        },
      },
      {
        op: 'command.upsert',
        command: {
          id: 'hello',
          enabled: true,
          trigger: { kind: 'exact', text: '!hello' },
          template: 'hi {user}',
          roles: [],
          userCooldownSeconds: 0,
          globalCooldownSeconds: 5,
        },
      },
    ]);
    fixture.db.prepare('INSERT INTO rules (id, json, updated_at) VALUES (\'bad\', \'{"id":"BAD ID"}\', 1)').run();
    fixture.db.prepare("INSERT INTO commands (id, json, updated_at) VALUES ('broken', 'not json', 1)").run();
    expect(fixture.reader.loadRules().map((rule) => rule.id)).toEqual(['r1']);
    expect(fixture.warnings.some((message) => message.includes('"bad"'))).toBe(true);
    expect(fixture.reader.loadCommands()).toEqual([expect.objectContaining({ id: 'hello', globalCooldownSeconds: 5 })]);
    expect(fixture.warnings.some((message) => message.includes('"broken"'))).toBe(true);
  });

  it('merges stored settings over defaults; an invalid value falls back with a warning', async () => {
    const defaults = fixture.reader.loadSettings();
    expect(defaults.botName).toBe('bitbrat');
    await fixture.writer.write([
      { op: 'setting.set', key: 'botName', value: 'brat' },
      { op: 'setting.set', key: 'retentionDays', value: 'forever' },
      { op: 'setting.set', key: 'unknownKey', value: 1 },
    ]);
    fixture.db.prepare("INSERT INTO settings (key, value) VALUES ('channel', 'not json')").run();
    const settings = fixture.reader.loadSettings();
    expect(settings).toEqual({ ...defaults, botName: 'brat' });
    expect(fixture.warnings.filter((message) => message.includes('invalid'))).toHaveLength(2);
  });

  it('stores users, keeps moderator notes, and searches by login or display name', async () => {
    const user = {
      platform: 'twitch',
      externalId: '42',
      login: 'CoolViewer',
      displayName: 'Cool_Viewer',
      roles: ['vip'],
      firstSeenAt: 10,
      lastSeenAt: 20,
      messageCount: 3,
      sessionStartedAt: 15,
    };
    await fixture.writer.write([{ op: 'user.upsert', user }]);
    fixture.db.prepare("UPDATE users SET notes = 'nice' WHERE external_id = '42'").run();
    await fixture.writer.write([
      { op: 'user.upsert', user: { ...user, firstSeenAt: 99, lastSeenAt: 30, messageCount: 4, roles: [] } },
    ]);
    expect(fixture.reader.getUser('twitch', '42')).toEqual({
      ...user,
      login: 'coolviewer',
      firstSeenAt: 10,
      lastSeenAt: 30,
      messageCount: 4,
      roles: [],
    });
    expect(fixture.db.prepare("SELECT notes FROM users WHERE external_id = '42'").get()).toEqual({ notes: 'nice' });
    expect(fixture.reader.getUser('twitch', 'nobody')).toBeUndefined();
    await fixture.writer.write([
      { op: 'user.upsert', user: { ...user, externalId: '43', login: 'other', displayName: 'Other', lastSeenAt: 50 } },
    ]);
    expect(fixture.reader.listUsers({}).map((u) => u.externalId)).toEqual(['43', '42']);
    expect(fixture.reader.listUsers({ search: 'COOL' }).map((u) => u.externalId)).toEqual(['42']);
    expect(fixture.reader.listUsers({ search: '_v' }).map((u) => u.externalId)).toEqual(['42']);
    expect(fixture.reader.listUsers({ search: '%' })).toEqual([]);
  });

  it('records ingress rejections truncated, newest first, and reports the database size', async () => {
    await fixture.writer.write([
      {
        op: 'rejection.record',
        rejection: { at: 1, connector: 'gateway', error: 'bad type', raw: 'x'.repeat(100_000) },
      },
      { op: 'rejection.record', rejection: { at: 2, connector: 'gateway', error: 'no text', raw: '{}' } },
    ]);
    const rejections = fixture.reader.rejections(10);
    expect(rejections.map((r) => r.error)).toEqual(['no text', 'bad type']);
    expect(rejections[1]!.raw.length).toBeLessThan(5_000);
    expect(fixture.reader.rejectionCount()).toBe(2);
    expect(fixture.reader.databaseSize()).toBeGreaterThan(4096);
  });
});
