/**
 * Read queries over the store, on a read-only connection of their own (WAL lets readers run
 * beside the writer without blocking it). Every statement is prepared once; the event listing,
 * whose WHERE clause depends on the filters, keeps one prepared statement per filter shape.
 */
import fs from 'node:fs';
import { ApprovalPolicySchema } from '../../core/envelope.js';
import type { Approval } from '../../core/approval.js';
import type { Envelope } from '../../core/envelope.js';
import { applyDelta, type EventDelta, type EventLogEntry } from '../../core/event-log.js';
import {
  EventQuerySchema,
  SettingsSchema,
  type EventDetail,
  type EventPage,
  type EventQuery,
  type PersistedTransition,
  type Settings,
  type UserSummary,
} from '../../core/host-api.js';
import type { CommandDefinition, IngressRejection, UserRow } from '../../core/protocol/store.js';
import { checkCommand } from '../../core/commands.js';
import { CodedError } from '../../core/rpc.js';
import { RuleSchema, type Rule } from '../../core/rules.js';
import { SafetyHoldSchema } from '../../core/safety.js';
import { summarizeEvent } from '../../core/summary.js';
import type { ReadDb } from './database.js';
import type { StoreLog } from './commit-queue.js';

export interface StoreReader {
  listEvents(query: EventQuery): EventPage;
  getEvent(id: string): EventDetail | null;
  /** Events that are not terminal, oldest first: what the router resumes at start-up. */
  openEvents(): Envelope[];
  listApprovals(params: { open?: boolean; limit?: number }): Approval[];
  getApproval(id: string): Approval | null;
  loadRules(): Rule[];
  loadCommands(): CommandDefinition[];
  loadSettings(): Settings;
  getUser(platform: string, externalId: string): UserRow | undefined;
  listUsers(params: { search?: string | undefined; limit?: number }): UserSummary[];
  /** Newest first. */
  rejections(limit: number): (IngressRejection & { id: number })[];
  rejectionCount(): number;
  /** Bytes on disk: the database file plus its write-ahead log. */
  databaseSize(): number;
  close(): void;
}

interface EventRow {
  rowid: number;
  envelope: string;
  updated_at: number;
  stage: string;
  /** The last log row the envelope already contains (NULL: none). */
  log_seq: number | null;
}

interface LogRow {
  seq: number;
  transitions: string;
  delta: string | null;
}

/** A stored transition: migrated rows carry nulls for the optional fields. */
type StoredTransition = {
  [K in keyof EventLogEntry['transitions'][number]]: EventLogEntry['transitions'][number][K] | null;
};

interface ApprovalRow {
  id: string;
  event_id: string;
  candidate_id: string;
  state: Approval['state'];
  policy: string;
  reason: string;
  held_at: number;
  auto_send_at: number | null;
  expires_at: number | null;
  decided_by: string | null;
  decided_at: number | null;
  console: string | null;
  original_text: string;
  final_text: string | null;
  note: string | null;
  hold: string | null;
  override: number;
}

interface UserDbRow {
  platform: string;
  external_id: string;
  login: string;
  display_name: string;
  roles: string;
  first_seen_at: number;
  last_seen_at: number;
  message_count: number;
  session_started_at: number;
}

/**
 * Turns what a moderator typed into an FTS5 query that cannot be a syntax error: every word
 * becomes a quoted string (quotes doubled), so `"foo OR`, `*`, `NEAR(` are searched as words.
 * Words are ANDed. Returns null when nothing searchable is left (only punctuation).
 */
export function toFtsQuery(input: string): string | null {
  const words = input
    .split(/\s+/u)
    // unicode61 indexes letters, digits and private-use characters; a word without any can never match.
    .filter((word) => /[\p{L}\p{N}\p{Co}]/u.test(word))
    .map((word) => `"${word.replaceAll('"', '""')}"`);
  return words.length > 0 ? words.join(' ') : null;
}

/** The stage of an open event as its log tells it (see `envelopeOf`): the newest delta's window, else the row's. */
const CURRENT_STAGE = `coalesce((SELECT l.stage FROM event_log l
  WHERE l.event_rowid = events.rowid AND l.seq > coalesce(events.log_seq, 0) AND l.delta IS NOT NULL
  ORDER BY l.seq DESC LIMIT 1), events.stage)`;

/** The listing's SQL for one parsed query: exported so tests can check its query plan. */
export function buildEventListQuery(query: EventQuery): { sql: string; params: (string | number)[]; limit: number } {
  const parsed = EventQuerySchema.parse(query);
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (parsed.before) {
    where.push('(at, id) < (?, ?)');
    params.push(parsed.before.at, parsed.before.id);
  }
  if (parsed.type !== undefined) {
    where.push('type = ?');
    params.push(parsed.type);
  }
  if (parsed.disposition === 'open') {
    // Spelled exactly as the partial index's WHERE, so the planner can use events_open.
    where.push("stage <> 'terminal'");
  } else if (parsed.disposition !== undefined) {
    where.push('disposition = ?');
    params.push(parsed.disposition);
  }
  if (parsed.stage === 'terminal') {
    where.push("stage = 'terminal'");
  } else if (parsed.stage !== undefined) {
    // An open row's stage column is the one it was accepted (or last rewritten) with; its stage now
    // is that of its newest log row with a delta after it (log rows say the stage at their window's end).
    where.push(`stage <> 'terminal' AND ${CURRENT_STAGE} = ?`);
    params.push(parsed.stage);
  }
  if (parsed.user !== undefined) {
    where.push('login = ?');
    params.push(parsed.user.trim().replace(/^@/, '').toLowerCase());
  }
  if (parsed.since !== undefined) {
    where.push('at >= ?');
    params.push(parsed.since);
  }
  if (parsed.until !== undefined) {
    where.push('at <= ?');
    params.push(parsed.until);
  }
  if (parsed.text !== undefined && parsed.text.trim() !== '') {
    const match = toFtsQuery(parsed.text);
    // Only punctuation: nothing can match, and an empty page says so honestly.
    if (match === null) where.push('0');
    else {
      where.push('rowid IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)');
      params.push(match);
    }
  }
  const sql =
    'SELECT rowid, envelope, updated_at, stage, log_seq FROM events' +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ' ORDER BY at DESC, id DESC LIMIT ?';
  return { sql, params, limit: parsed.limit };
}

const UNPARSEABLE = Symbol('unparseable JSON');

/** JSON that a person may have edited with a DB browser: garbage yields a value no schema accepts. */
function parseStored(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return UNPARSEABLE;
  }
}

/** The stored findings; a row that does not parse still counts as safety-held (fail closed). */
function holdOf(row: Pick<ApprovalRow, 'hold'>): Pick<Approval, 'hold'> {
  if (row.hold === null) return {};
  const parsed = SafetyHoldSchema.safeParse(parseStored(row.hold));
  return {
    hold: parsed.success
      ? parsed.data
      : { findings: [{ check: 'judge', kind: 'unreadable', found: 'stored findings unreadable', overridable: true }] },
  };
}

export function createStoreReader(db: ReadDb, options: { log?: StoreLog } = {}): StoreReader {
  const log: StoreLog =
    options.log ??
    ((level, message, fields) => {
      if (level === 'warn' || level === 'error') console.error(`[store] ${level}: ${message}`, fields ?? '');
    });

  const statements = {
    eventById: db.prepare<[string], EventRow>(
      'SELECT rowid, envelope, updated_at, stage, log_seq FROM events WHERE id = ?',
    ),
    logOfEvent: db.prepare<[number], LogRow>(
      'SELECT seq, transitions, delta FROM event_log WHERE event_rowid = ? ORDER BY seq',
    ),
    deltasAfter: db.prepare<[number, number], { seq: number; delta: string }>(
      'SELECT seq, delta FROM event_log WHERE event_rowid = ? AND seq > ? AND delta IS NOT NULL ORDER BY seq',
    ),
    approvalsOfEvent: db.prepare<[string], ApprovalRow>(
      'SELECT * FROM approvals WHERE event_id = ? ORDER BY held_at, id',
    ),
    deliveriesOfEvent: db.prepare<
      [string],
      { key: string; connector: string; status: string; detail: string | null; claimed_at: number; text: string }
    >(
      'SELECT key, connector, status, detail, claimed_at, text FROM deliveries WHERE event_id = ? ORDER BY claimed_at, key',
    ),
    openEvents: db.prepare<[], EventRow>(
      "SELECT rowid, envelope, updated_at, stage, log_seq FROM events WHERE stage <> 'terminal' ORDER BY at, id",
    ),
    openApprovals: db.prepare<[number], ApprovalRow>(
      "SELECT * FROM approvals WHERE state = 'held' ORDER BY held_at, id LIMIT ?",
    ),
    recentApprovals: db.prepare<[number], ApprovalRow>(
      'SELECT * FROM approvals ORDER BY held_at DESC, id DESC LIMIT ?',
    ),
    approvalById: db.prepare<[string], ApprovalRow>('SELECT * FROM approvals WHERE id = ?'),
    rules: db.prepare<[], { id: string; json: string }>('SELECT id, json FROM rules ORDER BY id'),
    commands: db.prepare<[], { id: string; json: string }>('SELECT id, json FROM commands ORDER BY id'),
    settings: db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings'),
    user: db.prepare<[string, string], UserDbRow>('SELECT * FROM users WHERE platform = ? AND external_id = ?'),
    recentUsers: db.prepare<[number], UserDbRow>('SELECT * FROM users ORDER BY last_seen_at DESC LIMIT ?'),
    searchUsers: db.prepare<[string, string, number], UserDbRow>(
      `SELECT * FROM users WHERE login LIKE ? ESCAPE '\\' OR display_name LIKE ? ESCAPE '\\'
       ORDER BY last_seen_at DESC LIMIT ?`,
    ),
    rejections: db.prepare<[number], IngressRejection & { id: number }>(
      'SELECT id, at, connector, error, raw FROM ingress_rejections ORDER BY id DESC LIMIT ?',
    ),
    rejectionCount: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM ingress_rejections'),
  };
  const listings = new Map<string, ReturnType<typeof db.prepare<unknown[], EventRow>>>();

  const toApproval = (row: ApprovalRow): Approval => ({
    id: row.id,
    eventId: row.event_id,
    candidateId: row.candidate_id,
    state: row.state,
    policy: ApprovalPolicySchema.parse(JSON.parse(row.policy)),
    reason: row.reason,
    heldAt: row.held_at,
    autoSendAt: row.auto_send_at,
    expiresAt: row.expires_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    console: row.console,
    originalText: row.original_text,
    finalText: row.final_text,
    note: row.note,
    ...holdOf(row),
    ...(row.override === 1 ? { override: true } : {}),
  });

  /** The step history of the detail view: every log row's transitions, numbered in order from 1. */
  const transitionsOf = (eventId: string, rows: readonly LogRow[]): PersistedTransition[] => {
    const out: PersistedTransition[] = [];
    for (const row of rows) {
      const parsed = parseStored(row.transitions);
      if (!Array.isArray(parsed)) {
        log('warn', 'a stored event log row is unreadable; its steps are not shown', { eventId, seq: row.seq });
        continue;
      }
      for (const stored of parsed as StoredTransition[]) {
        out.push({
          seq: out.length + 1,
          eventId,
          stage: stored.stage!,
          index: stored.index!,
          service: stored.service!,
          phase: stored.phase!,
          status: stored.status!,
          attempt: stored.attempt!,
          at: stored.at!,
          ...(stored.durationMs != null ? { durationMs: stored.durationMs } : {}),
          ...(stored.error != null ? { error: stored.error } : {}),
          ...(stored.notes != null ? { notes: stored.notes } : {}),
        });
      }
    }
    return out;
  };

  /**
   * The event as it is now: its row's envelope, and for an open event every later log row's delta
   * applied in order (a terminal row was written whole at the end and needs nothing).
   */
  const envelopeOf = (row: EventRow, deltas?: readonly { seq: number; delta: string | null }[]): Envelope => {
    const event = JSON.parse(row.envelope) as Envelope;
    if (row.stage === 'terminal') return event;
    const after = row.log_seq ?? 0;
    for (const { seq, delta } of deltas ?? statements.deltasAfter.all(row.rowid, after)) {
      if (seq <= after || delta === null) continue;
      const parsed = parseStored(delta);
      if (typeof parsed !== 'object' || parsed === null) {
        log('warn', 'a stored event delta is unreadable and was skipped', { eventId: event.id, seq });
        continue;
      }
      applyDelta(event, parsed as EventDelta);
    }
    return event;
  };

  const toUserRow = (row: UserDbRow): UserRow => ({
    platform: row.platform,
    externalId: row.external_id,
    login: row.login,
    displayName: row.display_name,
    roles: JSON.parse(row.roles) as string[],
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    messageCount: row.message_count,
    sessionStartedAt: row.session_started_at,
  });

  const toUserSummary = (row: UserDbRow): UserSummary => {
    const { sessionStartedAt: _session, ...summary } = toUserRow(row);
    return summary;
  };

  const likePattern = (search: string): string => `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

  return {
    listEvents(query) {
      let built: ReturnType<typeof buildEventListQuery>;
      try {
        built = buildEventListQuery(query);
      } catch (error) {
        throw new CodedError(
          'INVALID_PARAMS',
          `invalid event query: ${error instanceof Error ? error.message : error}`,
        );
      }
      let statement = listings.get(built.sql);
      if (!statement) {
        statement = db.prepare<unknown[], EventRow>(built.sql);
        listings.set(built.sql, statement);
      }
      // One row more than asked tells whether an older page exists, without a second query.
      const rows = statement.all(...built.params, built.limit + 1);
      const items = rows.slice(0, built.limit).map((row) => summarizeEvent(envelopeOf(row), row.updated_at));
      const last = items.at(-1);
      return { items, next: rows.length > built.limit && last ? { at: last.at, id: last.id } : null };
    },

    getEvent(id) {
      const row = statements.eventById.get(id);
      if (!row) return null;
      const logRows = statements.logOfEvent.all(row.rowid);
      return {
        event: envelopeOf(row, logRows),
        transitions: transitionsOf(id, logRows),
        approvals: statements.approvalsOfEvent.all(id).map(toApproval),
        deliveries: statements.deliveriesOfEvent.all(id).map((delivery) => ({
          key: delivery.key,
          connector: delivery.connector,
          status: delivery.status,
          detail: delivery.detail,
          at: delivery.claimed_at,
          text: delivery.text,
        })),
      };
    },

    openEvents() {
      return statements.openEvents.all().map((row) => envelopeOf(row));
    },

    listApprovals({ open = true, limit = 200 }) {
      const statement = open ? statements.openApprovals : statements.recentApprovals;
      return statement.all(limit).map(toApproval);
    },

    getApproval(id) {
      const row = statements.approvalById.get(id);
      return row ? toApproval(row) : null;
    },

    loadRules() {
      const rules: Rule[] = [];
      for (const row of statements.rules.all()) {
        const parsed = RuleSchema.safeParse(parseStored(row.json));
        if (parsed.success) rules.push(parsed.data);
        else
          log('warn', `stored rule "${row.id}" is invalid and was skipped`, {
            id: row.id,
            error: parsed.error.message,
          });
      }
      return rules;
    },

    loadCommands() {
      const commands: CommandDefinition[] = [];
      for (const row of statements.commands.all()) {
        const checked = checkCommand(parseStored(row.json));
        if (checked.ok) commands.push(checked.command);
        else log('warn', `stored command "${row.id}" is invalid and was skipped`, { id: row.id, error: checked.error });
      }
      return commands;
    },

    loadSettings() {
      const shape = SettingsSchema.shape;
      const values: Record<string, unknown> = {};
      for (const row of statements.settings.all()) {
        if (!Object.hasOwn(shape, row.key)) continue;
        const field = shape[row.key as keyof Settings];
        const parsed = field.safeParse(parseStored(row.value));
        if (parsed.success) values[row.key] = parsed.data;
        else
          log('warn', `stored setting "${row.key}" is invalid; using the default`, { key: row.key, stored: row.value });
      }
      return SettingsSchema.parse(values);
    },

    getUser(platform, externalId) {
      const row = statements.user.get(platform, externalId);
      return row ? toUserRow(row) : undefined;
    },

    listUsers({ search, limit = 100 }) {
      const trimmed = search?.trim().replace(/^@/, '') ?? '';
      const rows =
        trimmed === ''
          ? statements.recentUsers.all(limit)
          : statements.searchUsers.all(likePattern(trimmed.toLowerCase()), likePattern(trimmed), limit);
      return rows.map(toUserSummary);
    },

    rejections(limit) {
      return statements.rejections.all(limit);
    },

    rejectionCount() {
      return statements.rejectionCount.get()?.n ?? 0;
    },

    databaseSize() {
      const size = (file: string): number => {
        try {
          return fs.statSync(file).size;
        } catch {
          return 0;
        }
      };
      return size(db.name) + size(`${db.name}-wal`);
    },

    close() {
      db.close();
    },
  };
}
