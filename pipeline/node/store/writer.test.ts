import fs from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Approval } from '../../core/approval.js';
import type { Envelope } from '../../core/envelope.js';
import type { StepTransition } from '../../core/slip.js';
import { openReadConnection, type WriteDb } from './database.js';
import { createStoreReader } from './reader.js';
import { waitUntil } from '../../../test/support/wait.js';
import { chatEvent, logOps, migratedDb, tempDir } from './test-support.js';
import { createStoreWriter, type StoreLog, type StoreWriter } from './writer.js';

let temp: ReturnType<typeof tempDir>;
let db: WriteDb;
let writer: StoreWriter;
let logs: { level: string; message: string; fields?: Record<string, unknown> }[];
const log: StoreLog = (level, message, fields) => logs.push({ level, message, ...(fields ? { fields } : {}) });

beforeEach(() => {
  temp = tempDir();
  logs = [];
  db = migratedDb(temp.file);
  writer = createStoreWriter(db, { log });
});
afterEach(async () => {
  await writer.close();
  temp.cleanup();
});

/**
 * Commits in the write-ahead log: every commit ends with a frame whose "database size after
 * commit" field is non-zero (https://www.sqlite.org/fileformat.html#wal_file_format). Frames from
 * an older WAL generation carry other salts and are not counted.
 */
function walCommits(file: string): number {
  const wal = fs.readFileSync(`${file}-wal`);
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  let commits = 0;
  for (let offset = 32; offset + 24 + pageSize <= wal.length; offset += 24 + pageSize) {
    if (wal.readUInt32BE(offset + 8) !== salt1 || wal.readUInt32BE(offset + 12) !== salt2) break;
    if (wal.readUInt32BE(offset + 4) !== 0) commits += 1;
  }
  return commits;
}

function step(event: Envelope, index: number, status: StepTransition['status'], at = 1): StepTransition {
  return {
    eventId: event.id,
    stage: 'enrichment',
    index,
    service: 'auth',
    phase: 'enrichment',
    status,
    attempt: 1,
    at,
  };
}

function count(table: string, where = '1'): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
}

describe('batching', () => {
  it('commits every write of one tick in a single transaction, resolving after the commit', async () => {
    const before = walCommits(temp.file);
    const events = Array.from({ length: 200 }, (_, i) => chatEvent({ text: `message ${i}` }));
    const writes = events.map((event) =>
      writer.write([{ op: 'event.upsert', event }, ...logOps([step(event, 0, 'RUNNING')])]),
    );
    await Promise.all(writes);
    expect(walCommits(temp.file) - before).toBe(1);
    // Committed means visible to another connection.
    const reader = createStoreReader(openReadConnection(temp.file));
    expect(reader.getEvent(events[199]!.id)?.transitions).toHaveLength(1);
    reader.close();

    await writer.write([{ op: 'event.upsert', event: chatEvent() }]);
    expect(walCommits(temp.file) - before).toBe(2);
  });

  it('applies upserts of one event in a batch in order: the last version wins', async () => {
    const event = chatEvent({ login: 'MixedCase', text: 'first words' });
    const stages: Envelope[] = (['initial', 'enrichment', 'reaction'] as const).map((stage) => ({
      ...structuredClone(event),
      routing: { ...event.routing, stage },
    }));
    await Promise.all(stages.map((version) => writer.write([{ op: 'event.upsert', event: version }])));
    const row = db.prepare('SELECT stage, login, text FROM events WHERE id = ?').get(event.id);
    expect(row).toEqual({ stage: 'reaction', login: 'mixedcase', text: 'first words' });
    expect(count('events')).toBe(1);
  });

  it('keeps the order of other ops, and an event is stored before the steps that follow it', async () => {
    const event = chatEvent();
    const later = { ...structuredClone(event), disposition: 'replied' as const };
    later.routing.stage = 'terminal';
    await writer.write([
      { op: 'setting.set', key: 'botName', value: 'first' },
      { op: 'event.upsert', event },
      ...logOps([step(event, 0, 'RUNNING', 1), step(event, 0, 'OK', 2)]),
      { op: 'setting.set', key: 'botName', value: 'second' },
      { op: 'rule.delete', id: 'nope' },
      { op: 'event.upsert', event: later },
    ]);
    expect(db.prepare("SELECT value FROM settings WHERE key = 'botName'").get()).toEqual({ value: '"second"' });
    const logRows = db.prepare('SELECT transitions, event_rowid FROM event_log ORDER BY seq').all() as {
      transitions: string;
      event_rowid: number;
    }[];
    // One log row per event per op, holding its transitions in order.
    expect(logRows).toHaveLength(1);
    expect((JSON.parse(logRows[0]!.transitions) as StepTransition[]).map((s) => s.status)).toEqual(['RUNNING', 'OK']);
    expect(logRows[0]!.event_rowid).toBe((db.prepare('SELECT rowid FROM events').get() as { rowid: number }).rowid);
    expect(db.prepare('SELECT stage, disposition FROM events').get()).toEqual({
      stage: 'terminal',
      disposition: 'replied',
    });
  });

  it('refuses a write with an op it does not know before anything of it is stored; other writes commit', async () => {
    const kept = chatEvent();
    const refusedEvent = chatEvent();
    const results = await Promise.allSettled([
      writer.write([{ op: 'event.upsert', event: kept }]),
      writer.write([
        { op: 'event.upsert', event: refusedEvent },
        { op: 'setting.set', key: 'botName', value: 'never' },
        { op: 'warp.drive', speed: 9 } as never,
      ]),
      writer.write([42 as never]),
      writer.writeWithin({
        batch: [{ op: 'event.upsert', event: refusedEvent }, {} as never],
        deadline: Date.now() + 60_000,
      }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
    const reasons = results
      .slice(1)
      .map((result) => (result as PromiseRejectedResult).reason as Error & { code?: string });
    expect(reasons.map((reason) => reason.code)).toEqual(['UNKNOWN_STORE_OP', 'UNKNOWN_STORE_OP', 'UNKNOWN_STORE_OP']);
    expect(reasons[0]!.message).toMatch(
      /op 2 "warp\.drive" is not a store operation; nothing of this write was stored/,
    );
    expect(reasons[1]!.message).toMatch(/not an op: number/);
    expect(db.prepare('SELECT id FROM events').all()).toEqual([{ id: kept.id }]);
    expect(count('settings', "key = 'botName'")).toBe(0);
  });

  it('applies the extension parts (LLM, gateway, features) in the same batch as the core ops', async () => {
    const event = chatEvent();
    await writer.write([
      { op: 'event.upsert', event },
      { op: 'counter.setValue', name: 'deaths', scopeKey: '', value: 3, at: 1 },
      { op: 'memory.clear' },
      { op: 'gateway.client.used', id: 'nobody', at: 1 },
    ]);
    expect(count('events')).toBe(1);
    expect(db.prepare("SELECT value FROM counter_values WHERE name = 'deaths'").get()).toEqual({ value: 3 });
  });

  it('rejects only the write whose op failed; the others of the same tick commit', async () => {
    const good = chatEvent();
    const results = await Promise.allSettled([
      writer.write([{ op: 'event.upsert', event: good }]),
      // The gateway part parses its ops and throws on a bad one (admin calls see the error).
      writer.write([
        { op: 'event.upsert', event: chatEvent() },
        { op: 'gateway.client.revoke', id: '', at: 1 },
      ]),
      writer.write([{ op: 'event.upsert', event: { id: 'broken' } as never }]),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/gateway\.client\.revoke.*failed/);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/"event\.upsert" failed/);
    expect(db.prepare('SELECT id FROM events').all()).toEqual([{ id: good.id }]);
  });

  it('logs a slow flush with its size', async () => {
    await writer.close();
    db = migratedDb(temp.file);
    writer = createStoreWriter(db, { log, slowFlushMs: -1 });
    await writer.write([{ op: 'event.upsert', event: chatEvent() }]);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'slow store flush',
        fields: expect.objectContaining({ events: 1 }),
      }),
    );
  });

  it('refuses writes after close', async () => {
    await writer.close();
    await expect(writer.write([])).rejects.toThrow(/closed/);
    db = migratedDb(temp.file);
    writer = createStoreWriter(db, { log });
  });
});

describe('deliveries', () => {
  it('answers a batch of claims in order, and records a claim made as sent', async () => {
    const base = { eventId: 'e9', connector: 'console', text: 'hi', at: 5 };
    const answers = await writer.claimDeliveries([
      { ...base, key: 'e9:console', status: 'sent' },
      { ...base, key: 'e9:gateway-clients' },
      { ...base, key: 'e9:console', status: 'sent' },
    ]);
    expect(answers).toEqual([true, true, false]);
    expect(db.prepare('SELECT status, finished_at FROM deliveries WHERE key = ?').get('e9:console')).toEqual({
      status: 'sent',
      finished_at: 5,
    });
    expect(db.prepare('SELECT status FROM deliveries WHERE key = ?').get('e9:gateway-clients')).toEqual({
      status: 'claimed',
    });
  });

  it('claims a key once, also after a restart', async () => {
    const claim = { key: 'e1:c1:twitch-chat', eventId: 'e1', connector: 'twitch-chat', text: 'hi', at: 10 };
    const [first, second] = await Promise.all([writer.claimDelivery(claim), writer.claimDelivery(claim)]);
    expect([first, second]).toEqual([true, false]);
    await writer.write([
      { op: 'delivery.finish', result: { key: claim.key, status: 'sent', detail: 'msg-id 7', at: 20 } },
    ]);

    await writer.close();
    db = migratedDb(temp.file);
    writer = createStoreWriter(db, { log });
    expect(await writer.claimDelivery(claim)).toBe(false);
    expect(await writer.claimDelivery({ ...claim, key: 'e1:c2:twitch-chat' })).toBe(true);
    expect(db.prepare('SELECT status, detail, finished_at FROM deliveries WHERE key = ?').get(claim.key)).toEqual({
      status: 'sent',
      detail: 'msg-id 7',
      finished_at: 20,
    });
  });
});

describe('prune', () => {
  it('deletes terminal events older than the cut-off with their steps, approvals and deliveries', async () => {
    const old = chatEvent({ at: 1_000, disposition: 'replied', text: 'ancient words' });
    const oldButOpen = chatEvent({ at: 1_000 });
    const recent = chatEvent({ at: 5_000, disposition: 'ignored' });
    const approval: Approval = {
      id: 'a1',
      eventId: old.id,
      candidateId: 'c1',
      state: 'approved',
      policy: { mode: 'auto' },
      reason: 'test',
      heldAt: 1_000,
      autoSendAt: null,
      expiresAt: null,
      decidedBy: 'mod',
      decidedAt: 1_001,
      console: 'desktop',
      originalText: 'hi',
      finalText: 'hi',
      note: null,
    };
    await writer.write([
      { op: 'event.upsert', event: old },
      { op: 'event.upsert', event: oldButOpen },
      { op: 'event.upsert', event: recent },
      ...logOps([step(old, 0, 'OK'), step(oldButOpen, 0, 'OK'), step(recent, 0, 'OK')]),
      { op: 'approval.upsert', approval },
    ]);
    await writer.claimDelivery({
      key: `${old.id}:c1:console`,
      eventId: old.id,
      connector: 'console',
      text: 'hi',
      at: 1,
    });

    // Search is indexed behind the commits: the pruned text must have been in the index to prove its removal.
    await waitUntil(
      'the old event indexed for search',
      () => count('events_fts', 'events_fts MATCH \'"ancient"\'') === 1,
    );
    expect(await writer.prune({ before: 2_000 })).toBe(1);
    expect((db.prepare('SELECT id FROM events ORDER BY at').all() as { id: string }[]).map((r) => r.id).sort()).toEqual(
      [oldButOpen.id, recent.id].sort(),
    );
    expect(count('event_log')).toBe(2);
    expect(count('event_log', `event_rowid NOT IN (SELECT rowid FROM events)`)).toBe(0);
    expect(count('approvals')).toBe(0);
    expect(count('deliveries')).toBe(0);
    expect(count('events_fts', 'events_fts MATCH \'"ancient"\'')).toBe(0);
    expect(() => db.prepare("INSERT INTO events_fts(events_fts) VALUES ('integrity-check')").run()).not.toThrow();
    expect(await writer.prune({ before: 2_000 })).toBe(0);
  });
});

describe('a store stalled by another connection’s write lock', () => {
  it('keeps writes queued until the lock is released, and refuses a deadline write it could not start in time', async () => {
    const event = chatEvent({ text: 'waits for the lock' });
    const refused = chatEvent({ text: 'deadline passed' });
    const locker = new Database(temp.file);
    locker.exec('BEGIN IMMEDIATE');
    let committed = false;
    const waiting = writer.write([{ op: 'event.upsert', event }]).then(() => (committed = true));
    const outcome = writer
      .writeWithin({ batch: [{ op: 'event.upsert', event: refused }], deadline: Date.now() + 300 })
      .then(
        () => 'committed',
        (error: { code?: string; message: string }) => `${error.code}: ${error.message}`,
      );
    expect(await outcome).toMatch(/^UNAVAILABLE: the store is stalled/);
    expect(committed).toBe(false);
    locker.exec('ROLLBACK');
    locker.close();
    await waiting;
    expect(count('events', `id = '${event.id}'`)).toBe(1);
    expect(count('events', `id = '${refused.id}'`)).toBe(0);
    expect(logs.some((entry) => /locked by another program/.test(entry.message))).toBe(true);
  });
});
