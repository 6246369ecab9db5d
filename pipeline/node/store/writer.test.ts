import fs from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Approval } from '../../core/approval.js';
import type { Envelope } from '../../core/envelope.js';
import type { StepTransition } from '../../core/slip.js';
import { openReadConnection, type WriteDb } from './database.js';
import { createStoreReader } from './reader.js';
import { chatEvent, migratedDb, tempDir } from './test-support.js';
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
      writer.write([
        { op: 'event.upsert', event },
        { op: 'steps.append', transitions: [step(event, 0, 'RUNNING')] },
      ]),
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

  it('coalesces upserts of one event in a batch: one row write, the last version wins', async () => {
    const event = chatEvent({ login: 'MixedCase', text: 'first words' });
    const changes = () => (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;

    const single = changes();
    await writer.write([{ op: 'event.upsert', event: chatEvent() }]);
    const oneUpsert = changes() - single;

    const start = changes();
    const stages: Envelope[] = (['initial', 'enrichment', 'reaction'] as const).map((stage) => ({
      ...structuredClone(event),
      routing: { ...event.routing, stage },
    }));
    await Promise.all(stages.map((version) => writer.write([{ op: 'event.upsert', event: version }])));
    expect(changes() - start).toBe(oneUpsert);
    const row = db.prepare('SELECT stage, login, text FROM events WHERE id = ?').get(event.id);
    expect(row).toEqual({ stage: 'reaction', login: 'mixedcase', text: 'first words' });
  });

  it('keeps the order of other ops, and an event is stored before the steps that follow it', async () => {
    const event = chatEvent();
    const later = { ...structuredClone(event), disposition: 'replied' as const };
    later.routing.stage = 'terminal';
    await writer.write([
      { op: 'setting.set', key: 'botName', value: 'first' },
      { op: 'event.upsert', event },
      { op: 'steps.append', transitions: [step(event, 0, 'RUNNING', 1), step(event, 0, 'OK', 2)] },
      { op: 'setting.set', key: 'botName', value: 'second' },
      { op: 'rule.delete', id: 'nope' },
      { op: 'event.upsert', event: later },
    ]);
    expect(db.prepare("SELECT value FROM settings WHERE key = 'botName'").get()).toEqual({ value: '"second"' });
    const steps = db.prepare('SELECT status, event_rowid FROM slip_steps ORDER BY seq').all() as {
      status: string;
      event_rowid: number | null;
    }[];
    expect(steps.map((s) => s.status)).toEqual(['RUNNING', 'OK']);
    expect(steps.every((s) => s.event_rowid !== null)).toBe(true);
    expect(db.prepare('SELECT stage, disposition FROM events').get()).toEqual({
      stage: 'terminal',
      disposition: 'replied',
    });
  });

  it('logs and drops an op nobody handles, applies registered ones in the same batch', async () => {
    await writer.close();
    const seen: unknown[] = [];
    db = migratedDb(temp.file);
    writer = createStoreWriter(db, {
      log,
      appliers: {
        'persona.upsert': (target, op) => {
          seen.push(op);
          target.prepare('INSERT INTO personas (id, json, updated_at) VALUES (?, ?, ?)').run('p1', '{}', 1);
        },
      },
    });
    await writer.write([
      { op: 'persona.upsert', id: 'p1' },
      { op: 'warp.drive', speed: 9 },
      { op: 'warp.drive', speed: 10 },
      42 as never,
    ]);
    expect(seen).toEqual([{ op: 'persona.upsert', id: 'p1' }]);
    expect(count('personas')).toBe(1);
    expect(logs.filter((entry) => entry.level === 'warn').map((entry) => entry.fields)).toEqual(
      expect.arrayContaining([
        { op: 'warp.drive', count: 2 },
        { op: '(not an op: number)', count: 1 },
      ]),
    );
  });

  it('rejects only the write whose op failed; the others of the same tick commit', async () => {
    await writer.close();
    db = migratedDb(temp.file);
    writer = createStoreWriter(db, {
      log,
      appliers: {
        'always.fails': () => {
          throw new Error('boom');
        },
      },
    });
    const good = chatEvent();
    const results = await Promise.allSettled([
      writer.write([{ op: 'event.upsert', event: good }]),
      writer.write([{ op: 'event.upsert', event: chatEvent() }, { op: 'always.fails' }]),
      writer.write([{ op: 'event.upsert', event: { id: 'broken' } as never }]),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/always\.fails.*boom/);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/event\.upsert/);
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
      { op: 'steps.append', transitions: [step(old, 0, 'OK'), step(oldButOpen, 0, 'OK'), step(recent, 0, 'OK')] },
      { op: 'approval.upsert', approval },
    ]);
    await writer.claimDelivery({
      key: `${old.id}:c1:console`,
      eventId: old.id,
      connector: 'console',
      text: 'hi',
      at: 1,
    });

    expect(await writer.prune({ before: 2_000 })).toBe(1);
    expect((db.prepare('SELECT id FROM events ORDER BY at').all() as { id: string }[]).map((r) => r.id).sort()).toEqual(
      [oldButOpen.id, recent.id].sort(),
    );
    expect(count('slip_steps', `event_id = '${old.id}'`)).toBe(0);
    expect(count('slip_steps')).toBe(2);
    expect(count('approvals')).toBe(0);
    expect(count('deliveries')).toBe(0);
    expect(count('events_fts', 'events_fts MATCH \'"ancient"\'')).toBe(0);
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
