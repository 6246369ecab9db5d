/**
 * Migration 7 (the append-only event log) on a real version-6 file with data: built by migrations
 * 1–6 and filled with the v6 schema's own SQL, closed, then opened the way the host opens it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../test/support/wait.js';
import type { Approval } from '../../core/approval.js';
import type { Envelope } from '../../core/envelope.js';
import { toEventRow } from '../../core/protocol/store.js';
import { DEFAULT_COMMANDS } from '../../core/commands.js';
import { DEFAULT_RULES } from '../../core/rules.js';
import { openReadConnection, openWriteConnection } from './database.js';
import { MIGRATIONS, migrate, schemaVersion, seedIfEmpty } from './migrations.js';
import { createStoreReader, type StoreReader } from './reader.js';
import { chatEvent, tempDir } from './test-support.js';
import { createStoreWriter } from './writer.js';

let temp: ReturnType<typeof tempDir>;
let reader: StoreReader | undefined;
beforeEach(() => {
  temp = tempDir();
});
afterEach(() => {
  reader?.close();
  reader = undefined;
  temp.cleanup();
});

interface V6Step {
  eventId: string;
  /** false: the row as an old build wrote it before the rowid column was filled. */
  withRowid?: boolean;
  stage: string;
  idx: number;
  service: string;
  phase: string;
  status: string;
  at: number;
  durationMs?: number;
  error?: unknown;
  notes?: string[];
}

const heldApproval = (eventId: string): Approval => ({
  id: 'a-held',
  eventId,
  candidateId: 'c1',
  state: 'held',
  policy: { mode: 'require', expireSeconds: 300 },
  reason: 'held for review',
  heldAt: 2_000,
  autoSendAt: null,
  expiresAt: 302_000,
  decidedBy: null,
  decidedAt: null,
  console: null,
  originalText: 'a reply',
  finalText: null,
  note: null,
});

/** A version-6 file as a v6 build left it: its events, slip steps (through the v6 FTS triggers) and approvals. */
function buildVersion6File(data: { events: Envelope[]; steps: V6Step[]; approvals: Approval[] }): void {
  const db = openWriteConnection(temp.file);
  migrate(
    db,
    MIGRATIONS.filter((migration) => migration.version <= 6),
  );
  seedIfEmpty(db, { rules: [...DEFAULT_RULES], commands: [...DEFAULT_COMMANDS] });
  expect(schemaVersion(db)).toBe(6);
  const insertEvent = db.prepare(
    `INSERT INTO events (id, correlation_id, type, channel, connector, login, user_id, at, stage, disposition,
                         reason, text, updated_at, envelope)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const event of data.events) {
    const row = toEventRow(event);
    insertEvent.run(
      row.id,
      row.correlationId,
      row.type,
      row.channel,
      row.connector,
      row.login,
      row.userId,
      row.at,
      row.stage,
      row.disposition,
      row.reason,
      row.text,
      row.at,
      row.json,
    );
  }
  const insertStep = db.prepare(
    `INSERT INTO slip_steps (event_id, event_rowid, stage, idx, service, phase, status, attempt, at, duration_ms,
                             error, notes)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const rowid = db.prepare<[string], { rowid: number }>('SELECT rowid FROM events WHERE id = ?');
  for (const step of data.steps) {
    insertStep.run(
      step.eventId,
      step.withRowid === false ? null : (rowid.get(step.eventId)?.rowid ?? null),
      step.stage,
      step.idx,
      step.service,
      step.phase,
      step.status,
      1,
      step.at,
      step.durationMs ?? null,
      step.error === undefined ? null : JSON.stringify(step.error),
      step.notes === undefined ? null : JSON.stringify(step.notes),
    );
  }
  const insertApproval = db.prepare(
    `INSERT INTO approvals (id, event_id, candidate_id, state, policy, reason, held_at, auto_send_at, expires_at,
                            decided_by, decided_at, console, original_text, final_text, note, hold, override)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const a of data.approvals) {
    insertApproval.run(
      a.id,
      a.eventId,
      a.candidateId,
      a.state,
      JSON.stringify(a.policy),
      a.reason,
      a.heldAt,
      a.autoSendAt,
      a.expiresAt,
      a.decidedBy,
      a.decidedAt,
      a.console,
      a.originalText,
      a.finalText,
      a.note,
      null,
      0,
    );
  }
  db.close();
}

/** Opens the file the way the host does at start: migrate, seed, close; then a reader. */
function openAsTheApp(): void {
  const db = openWriteConnection(temp.file);
  try {
    migrate(db);
    seedIfEmpty(db, { rules: [...DEFAULT_RULES], commands: [...DEFAULT_COMMANDS] });
  } finally {
    db.close();
  }
  reader = createStoreReader(openReadConnection(temp.file));
}

describe('migration 7: the append-only event log', () => {
  const replied = chatEvent({ at: 1_000, text: 'finished words here', disposition: 'replied' });
  const open = chatEvent({ at: 2_000, text: 'open words waiting', login: 'Waiter' });
  open.routing.stage = 'approval';
  const stepless = chatEvent({ at: 3_000, text: 'no steps at all' });
  const ghost = 'event-that-was-pruned';
  const steps: V6Step[] = [
    {
      eventId: replied.id,
      stage: 'enrichment',
      idx: 0,
      service: 'auth',
      phase: 'enrichment',
      status: 'RUNNING',
      at: 1_001,
    },
    {
      eventId: open.id,
      stage: 'enrichment',
      idx: 0,
      service: 'auth',
      phase: 'enrichment',
      status: 'RUNNING',
      at: 2_001,
    },
    {
      eventId: replied.id,
      stage: 'enrichment',
      idx: 0,
      service: 'auth',
      phase: 'enrichment',
      status: 'ERROR',
      at: 1_002,
      durationMs: 1.5,
      error: { code: 'TIMEOUT', message: 'slow', retryable: true },
      notes: ['retrying'],
    },
    // Written by an older build without the rowid: found again by the event id.
    {
      eventId: replied.id,
      withRowid: false,
      stage: 'reaction',
      idx: 0,
      service: 'llm-bot',
      phase: 'reaction',
      status: 'OK',
      at: 1_003,
      durationMs: 40,
    },
    {
      eventId: open.id,
      stage: 'enrichment',
      idx: 0,
      service: 'auth',
      phase: 'enrichment',
      status: 'OK',
      at: 2_002,
      durationMs: 2,
    },
    {
      eventId: ghost,
      withRowid: false,
      stage: 'enrichment',
      idx: 0,
      service: 'auth',
      phase: 'enrichment',
      status: 'OK',
      at: 5,
    },
  ];

  it('keeps the step history, open events, search and approvals of a version-6 file', async () => {
    buildVersion6File({ events: [replied, open, stepless], steps, approvals: [heldApproval(open.id)] });
    openAsTheApp();
    const r = reader!;

    const history = r.getEvent(replied.id)!;
    expect(history.event).toEqual(replied);
    expect(history.transitions).toEqual([
      {
        seq: 1,
        eventId: replied.id,
        stage: 'enrichment',
        index: 0,
        service: 'auth',
        phase: 'enrichment',
        status: 'RUNNING',
        attempt: 1,
        at: 1_001,
      },
      {
        seq: 2,
        eventId: replied.id,
        stage: 'enrichment',
        index: 0,
        service: 'auth',
        phase: 'enrichment',
        status: 'ERROR',
        attempt: 1,
        at: 1_002,
        durationMs: 1.5,
        error: { code: 'TIMEOUT', message: 'slow', retryable: true },
        notes: ['retrying'],
      },
      {
        seq: 3,
        eventId: replied.id,
        stage: 'reaction',
        index: 0,
        service: 'llm-bot',
        phase: 'reaction',
        status: 'OK',
        attempt: 1,
        at: 1_003,
        durationMs: 40,
      },
    ]);
    expect(r.getEvent(open.id)!.transitions.map((t) => t.status)).toEqual(['RUNNING', 'OK']);
    expect(r.getEvent(stepless.id)!.transitions).toEqual([]);

    // Resume after the upgrade: the open events, as they were stored.
    expect(r.openEvents()).toEqual([open, stepless]);
    expect(r.listEvents({ disposition: 'open' }).items.map((item) => item.id)).toEqual([stepless.id, open.id]);
    expect(r.listEvents({ disposition: 'replied' }).items.map((item) => item.id)).toEqual([replied.id]);

    // Search: every row indexed by the v6 triggers stays found.
    expect(r.listEvents({ text: 'words' }).items.map((item) => item.id)).toEqual([open.id, replied.id]);
    expect(r.listEvents({ text: 'waiting' }).items.map((item) => item.id)).toEqual([open.id]);

    expect(r.listApprovals({ open: true })).toEqual([heldApproval(open.id)]);
    expect(r.getEvent(open.id)!.approvals).toEqual([heldApproval(open.id)]);
  });

  it('leaves one log row per event, no slip_steps, and a store that writes, searches and prunes', async () => {
    buildVersion6File({ events: [replied, open, stepless], steps, approvals: [heldApproval(open.id)] });
    openAsTheApp();
    const db = openWriteConnection(temp.file);
    const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]).map(
      (row) => row.name,
    );
    expect(tables).not.toContain('slip_steps');
    // One row per event with steps; the steps of an event no longer stored had nothing to show them.
    expect(db.prepare('SELECT count(*) AS n FROM event_log').get()).toEqual({ n: 2 });

    const writer = createStoreWriter(db, { log: () => undefined });
    try {
      const later = chatEvent({ at: 4_000, text: 'written after the upgrade' });
      await writer.write([
        { op: 'event.put', row: toEventRow(later) },
        {
          op: 'event.log',
          entry: {
            eventId: open.id,
            at: 4_001,
            stage: 'approval',
            transitions: [],
            delta: JSON.stringify({ annotations: [{ kind: 'late', source: 'test', at: 4_001 }] }),
          },
        },
      ]);
      // The migrated open event is rebuilt with a delta written after the upgrade.
      expect(reader!.getEvent(open.id)!.event.annotations.map((a) => a.kind)).toEqual(['late']);
      await waitUntil('the new event searchable', () => reader!.listEvents({ text: 'upgrade' }).items.length === 1);

      expect(await writer.prune({ before: 1_500 })).toBe(1);
      expect(reader!.getEvent(replied.id)).toBeNull();
      expect(reader!.listEvents({ text: 'finished' }).items).toEqual([]);
      expect(db.prepare('SELECT count(*) AS n FROM event_log').get()).toEqual({ n: 2 });
      expect(() => db.prepare("INSERT INTO events_fts(events_fts) VALUES ('integrity-check')").run()).not.toThrow();
    } finally {
      await writer.close();
    }
  });
});
