/**
 * The SQL of the store's own tables: one prepared statement per write, and the appliers of the
 * core ops (`CoreStoreWrite`). Everything here runs inside the commit queue's transaction.
 *
 * Events are append-only (core/event-log.ts): the accepted row (`event.put`), one `event_log` row
 * per event per commit window (`event.log`: its transitions as one JSON array, its delta JSON as
 * the router serialized it), one narrow UPDATE at the end (`event.end`). Nothing rewrites the
 * envelope in between, so a window costs one append per event instead of a rewrite of a 3 KB row
 * and every index on it. No FTS work happens here: search-index.ts indexes new rows in batches.
 */
import type { Approval } from '../../core/approval.js';
import type { Envelope } from '../../core/envelope.js';
import type { EventLogEntry } from '../../core/event-log.js';
import {
  toEventRow,
  type CoreStoreWrite,
  type DeliveryClaim,
  type EventRow,
  type IngressRejection,
  type UserRow,
} from '../../core/protocol/store.js';
import type { FlushNotes, StoreLog } from './commit-queue.js';
import type { WriteDb } from './database.js';
import type { AppliersOf } from './op-registry.js';

/** Ingress rejections kept (newest): enough to diagnose a connector, never a way to fill the disk. */
export const MAX_REJECTIONS = 10_000;
const MAX_REJECTION_RAW = 4_000;
const MAX_REJECTION_ERROR = 2_000;
/** Entries per generation of the event-id → rowid cache (two generations are kept). */
const ROWID_CACHE_GENERATION = 50_000;

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

export interface StoreTables {
  /** The appliers of the core ops, for the op registry. */
  appliers: AppliersOf<CoreStoreWrite>;
  /** Writes an event's whole row (`event.put`, `event.upsert`). */
  putEvent(event: Envelope | EventRow, updatedAt: number, notes: FlushNotes): void;
  /** Records a delivery before it is made; false when the key was claimed before. */
  claimDelivery(claim: DeliveryClaim, at: number): boolean;
  /** After the ops of a flush: keeps the rejections table bounded. */
  afterOps(notes: FlushNotes): void;
  /** events.rowid of recent events, by id (see `rowids` below). */
  rowids: RowidCache;
}

export interface RowidCache {
  set(id: string, rowid: number): void;
  get(id: string): number | undefined;
  delete(id: string): void;
  /** After a rollback: a cached rowid may belong to an insert that never happened. */
  clear(): void;
}

export function createStoreTables(db: WriteDb, log: StoreLog): StoreTables {
  const statements = {
    // `log_seq`: the last log row the stored envelope already contains, so a reader rebuilding an
    // open event applies only later deltas (on insert there is none; on a rewrite, the event's newest).
    putEvent: db.prepare(
      `INSERT INTO events (id, correlation_id, type, channel, connector, login, user_id, at, stage, disposition,
                           reason, text, updated_at, envelope)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET
         correlation_id = excluded.correlation_id, type = excluded.type, channel = excluded.channel,
         connector = excluded.connector, login = excluded.login, user_id = excluded.user_id, at = excluded.at,
         stage = excluded.stage, disposition = excluded.disposition, reason = excluded.reason, text = excluded.text,
         updated_at = excluded.updated_at, envelope = excluded.envelope,
         log_seq = (SELECT max(seq) FROM event_log WHERE event_rowid = events.rowid)
       RETURNING rowid`,
    ),
    // Only the columns that change at the end: the indexes on type, login and time are not touched.
    endEvent: db.prepare(
      'UPDATE events SET stage = ?, disposition = ?, reason = ?, updated_at = ?, envelope = ? WHERE rowid = ?',
    ),
    eventRowid: db.prepare<[string], { rowid: number }>('SELECT rowid FROM events WHERE id = ?'),
    appendLog: db.prepare('INSERT INTO event_log (event_rowid, at, stage, transitions, delta) VALUES (?, ?, ?, ?, ?)'),
    upsertApproval: db.prepare(
      `INSERT INTO approvals (id, event_id, candidate_id, state, policy, reason, held_at, auto_send_at, expires_at,
                              decided_by, decided_at, console, original_text, final_text, note, hold, override)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET
         event_id = excluded.event_id, candidate_id = excluded.candidate_id, state = excluded.state,
         policy = excluded.policy, reason = excluded.reason, held_at = excluded.held_at,
         auto_send_at = excluded.auto_send_at, expires_at = excluded.expires_at, decided_by = excluded.decided_by,
         decided_at = excluded.decided_at, console = excluded.console, original_text = excluded.original_text,
         final_text = excluded.final_text, note = excluded.note, hold = excluded.hold, override = excluded.override`,
    ),
    // Notes and trust belong to moderators: a sighting of the user never overwrites them.
    upsertUser: db.prepare(
      `INSERT INTO users (platform, external_id, login, display_name, roles, first_seen_at, last_seen_at,
                          message_count, session_started_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (platform, external_id) DO UPDATE SET
         login = excluded.login, display_name = excluded.display_name, roles = excluded.roles,
         first_seen_at = min(first_seen_at, excluded.first_seen_at), last_seen_at = excluded.last_seen_at,
         message_count = excluded.message_count, session_started_at = excluded.session_started_at`,
    ),
    upsertRule: db.prepare('INSERT OR REPLACE INTO rules (id, json, updated_at) VALUES (?, ?, ?)'),
    deleteRule: db.prepare('DELETE FROM rules WHERE id = ?'),
    upsertCommand: db.prepare('INSERT OR REPLACE INTO commands (id, json, updated_at) VALUES (?, ?, ?)'),
    deleteCommand: db.prepare('DELETE FROM commands WHERE id = ?'),
    setSetting: db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)'),
    deleteSetting: db.prepare('DELETE FROM settings WHERE key = ?'),
    recordRejection: db.prepare('INSERT INTO ingress_rejections (at, connector, error, raw) VALUES (?, ?, ?, ?)'),
    trimRejections: db.prepare(
      'DELETE FROM ingress_rejections WHERE id <= (SELECT max(id) FROM ingress_rejections) - ?',
    ),
    claimDelivery: db.prepare(
      `INSERT INTO deliveries (key, event_id, connector, text, status, claimed_at, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
    ),
    finishDelivery: db.prepare('UPDATE deliveries SET status = ?, detail = ?, finished_at = ? WHERE key = ?'),
  };

  /**
   * events.rowid of recent events, so each log row gets its event's rowid without a lookup in the
   * uuid index. Two generations bound the memory: an event lives seconds, rarely minutes.
   */
  const rowids: RowidCache = (() => {
    let current = new Map<string, number>();
    let previous = new Map<string, number>();
    return {
      set(id, rowid) {
        if (current.size >= ROWID_CACHE_GENERATION) {
          previous = current;
          current = new Map();
        }
        current.set(id, rowid);
      },
      get(id) {
        return current.get(id) ?? previous.get(id) ?? statements.eventRowid.get(id)?.rowid;
      },
      delete(id) {
        current.delete(id);
        previous.delete(id);
      },
      clear() {
        current = new Map();
        previous = new Map();
      },
    };
  })();

  const putEvent = (event: Envelope | EventRow, updatedAt: number, notes: FlushNotes): void => {
    const value = 'json' in event ? event : toEventRow(event);
    const row = statements.putEvent.get(
      value.id,
      value.correlationId,
      value.type,
      value.channel,
      value.connector,
      value.login,
      value.userId,
      value.at,
      value.stage,
      value.disposition,
      value.reason,
      value.text,
      updatedAt,
      value.json,
    ) as { rowid: number };
    rowids.set(value.id, row.rowid);
    notes.events += 1;
  };

  /** One log row; the transitions are serialized here (they arrive as objects), the delta never is. */
  const appendLog = (entry: EventLogEntry, notes: FlushNotes): void => {
    const eventRowid = rowids.get(entry.eventId);
    // Ingress commits the accepted row before the router sees the event, so this means a caller bug
    // (or a pruned event): reported once per flush, and skipped, since no row can show it.
    if (eventRowid === undefined) {
      notes.orphanLogs += 1;
      return;
    }
    statements.appendLog.run(eventRowid, entry.at, entry.stage, JSON.stringify(entry.transitions), entry.delta);
    notes.logRows += 1;
  };

  const endEvent = (row: EventRow, entry: EventLogEntry | undefined, updatedAt: number, notes: FlushNotes): void => {
    const rowid = rowids.get(row.id);
    // No accepted row (a test, a caller that never put it): the whole row, then its log row.
    if (rowid === undefined) {
      putEvent(row, updatedAt, notes);
      if (entry) appendLog(entry, notes);
      return;
    }
    if (entry) appendLog(entry, notes);
    if (statements.endEvent.run(row.stage, row.disposition, row.reason, updatedAt, row.json, rowid).changes === 1) {
      notes.events += 1;
      return;
    }
    // The cached rowid is stale (the row was deleted meanwhile): write it whole.
    rowids.delete(row.id);
    putEvent(row, updatedAt, notes);
  };

  const upsertApproval = (approval: Approval): void => {
    statements.upsertApproval.run(
      approval.id,
      approval.eventId,
      approval.candidateId,
      approval.state,
      JSON.stringify(approval.policy),
      approval.reason,
      approval.heldAt,
      approval.autoSendAt,
      approval.expiresAt,
      approval.decidedBy,
      approval.decidedAt,
      approval.console,
      approval.originalText,
      approval.finalText,
      approval.note,
      approval.hold ? JSON.stringify(approval.hold) : null,
      approval.override ? 1 : 0,
    );
  };

  const upsertUser = (user: UserRow): void => {
    statements.upsertUser.run(
      user.platform,
      user.externalId,
      user.login.toLowerCase(),
      user.displayName,
      JSON.stringify(user.roles),
      user.firstSeenAt,
      user.lastSeenAt,
      user.messageCount,
      user.sessionStartedAt,
    );
  };

  const recordRejection = (rejection: IngressRejection): void => {
    statements.recordRejection.run(
      rejection.at,
      truncate(String(rejection.connector), 60),
      truncate(String(rejection.error), MAX_REJECTION_ERROR),
      truncate(String(rejection.raw), MAX_REJECTION_RAW),
    );
  };

  const appliers: AppliersOf<CoreStoreWrite> = {
    'event.upsert': (_db, op, { at, notes }) => putEvent(op.event, at, notes),
    'event.put': (_db, op, { at, notes }) => putEvent(op.row, at, notes),
    'event.log': (_db, op, { notes }) => appendLog(op.entry, notes),
    'event.end': (_db, op, { at, notes }) => endEvent(op.row, op.entry, at, notes),
    'approval.upsert': (_db, op) => upsertApproval(op.approval),
    'user.upsert': (_db, op) => upsertUser(op.user),
    'rule.upsert': (_db, { rule }, { at }) => void statements.upsertRule.run(rule.id, JSON.stringify(rule), at),
    'rule.delete': (_db, op) => void statements.deleteRule.run(op.id),
    'command.upsert': (_db, { command }, { at }) =>
      void statements.upsertCommand.run(command.id, JSON.stringify(command), at),
    'command.delete': (_db, op) => void statements.deleteCommand.run(op.id),
    'setting.set': (_db, { key, value }) => {
      // `undefined` has no JSON form: it means "back to the default".
      if (value === undefined) statements.deleteSetting.run(key);
      else statements.setSetting.run(key, JSON.stringify(value));
    },
    'rejection.record': (_db, op, { notes }) => {
      notes.rejections += 1;
      recordRejection(op.rejection);
    },
    'delivery.finish': (_db, op) => {
      const { key, status, detail, at } = op.result;
      if (statements.finishDelivery.run(status, detail ?? null, at, key).changes === 0) {
        log('warn', 'delivery.finish for a key that was never claimed', { key, status });
      }
    },
  };

  return {
    appliers,
    putEvent,
    claimDelivery(claim, at) {
      const status = claim.status === 'sent' ? 'sent' : 'claimed';
      const claimedAt = claim.at ?? at;
      return (
        statements.claimDelivery.run(
          claim.key,
          claim.eventId,
          claim.connector,
          claim.text,
          status,
          claimedAt,
          status === 'sent' ? claimedAt : null,
        ).changes === 1
      );
    },
    afterOps(notes) {
      if (notes.rejections > 0) statements.trimRejections.run(MAX_REJECTIONS);
    },
    rowids,
  };
}
