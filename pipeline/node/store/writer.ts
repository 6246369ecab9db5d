/**
 * The single SQLite writer: queues every write and commits them in batched transactions.
 *
 * Why batches: one transaction per event would cap the pipeline at a few thousand events/s (each
 * commit costs a WAL append plus a lock round-trip); one transaction per tick of the event loop
 * costs the same whether it holds 1 or 10,000 writes. The flush runs in `setImmediate` after the
 * first queued write, so everything that arrives in one tick commits together, and `write()`
 * resolves only once its batch is on disk (WAL, synchronous=NORMAL: durable against an app crash,
 * the last commits may be lost on power failure, which is SQLite's documented trade-off).
 */
import type { Approval } from '../../core/approval.js';
import type { Envelope } from '../../core/envelope.js';
import {
  toEventRow,
  type CommandDefinition,
  type DeliveryClaim,
  type EventRow,
  type IngressRejection,
  type StoreProtocol,
  type StoreWrite,
  type UserRow,
} from '../../core/protocol/store.js';
import { CodedError, type LogLevel, type RequestHandlers } from '../../core/rpc.js';
import type { Rule } from '../../core/rules.js';
import type { StepTransition } from '../../core/slip.js';
import type { WriteDb } from './database.js';

export type StoreLog = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/** Applies an op the store does not know itself (personas, memory, llm usage ...), inside the batch transaction. */
export type StoreApplier = (db: WriteDb, op: unknown) => void;

/** An op for an applier registered by another part of the app. */
export interface ExtensionWrite {
  op: string;
  [field: string]: unknown;
}
export type StoreOp = StoreWrite | ExtensionWrite;

export interface StoreWriterOptions {
  appliers?: Record<string, StoreApplier>;
  log?: StoreLog;
  now?: () => number;
  /** A flush slower than this is logged as a warning. */
  slowFlushMs?: number;
}

export interface StoreWriter {
  write(batch: readonly StoreOp[]): Promise<void>;
  /** Like `write`, but rejected with UNAVAILABLE (nothing written) if it cannot start to commit before `deadline`. */
  writeWithin(params: { batch: readonly StoreOp[]; deadline: number }): Promise<void>;
  claimDelivery(claim: DeliveryClaim): Promise<boolean>;
  claimDeliveries(claims: DeliveryClaim[]): Promise<boolean[]>;
  flush(): Promise<void>;
  prune(params: { before: number }): Promise<number>;
  /** Commits what is queued, then closes the connection. Later calls reject with STORE_CLOSED. */
  close(): Promise<void>;
}

// The writer serves the store worker's protocol as it is declared: a mismatch fails to compile.
const _servesProtocol = (writer: StoreWriter): RequestHandlers<StoreProtocol> => writer;

/** Ingress rejections kept (newest): enough to diagnose a connector, never a way to fill the disk. */
export const MAX_REJECTIONS = 10_000;
const MAX_REJECTION_RAW = 4_000;
const MAX_REJECTION_ERROR = 2_000;
/** Events deleted per prune transaction, so a large prune never stalls the pipeline's writes. */
const PRUNE_CHUNK = 2_000;
const SLOW_LOG_INTERVAL_MS = 10_000;
/**
 * How long one commit attempt waits for another connection's write lock (a DB browser mid-edit,
 * a backup tool). Short, so this thread stays responsive (heartbeats, answers) while the lock is
 * held; the writer keeps its queue and tries again every STALL_RETRY_MS, however long the stall.
 */
export const STALL_BUSY_TIMEOUT_MS = 200;
const STALL_RETRY_MS = 50;
/** Entries per generation of the event-id → rowid cache (two generations are kept). */
const ROWID_CACHE_GENERATION = 50_000;

interface Deferred<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

type Task =
  | { kind: 'write'; ops: readonly unknown[]; done: Deferred<void>; deadline?: number }
  | { kind: 'claim'; claim: DeliveryClaim; done: Deferred<boolean>; claimed?: boolean };

/** One unit of work inside a flush, in commit order. Upserts of one event share one action. */
type Action =
  { kind: 'upsert'; event: Envelope | EventRow } | { kind: 'op'; op: unknown } | { kind: 'task'; task: Task };

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

function isLockBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

export const STORE_STALLED_MESSAGE =
  'the store is stalled (the database is locked by another program); nothing was written, try again';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function opName(op: unknown): string | undefined {
  if (typeof op !== 'object' || op === null) return undefined;
  const name = (op as { op?: unknown }).op;
  return typeof name === 'string' ? name : undefined;
}

const defaultLog: StoreLog = (level, message, fields) => {
  if (level === 'warn' || level === 'error') console.error(`[store] ${level}: ${message}`, fields ?? '');
};

export function createStoreWriter(db: WriteDb, options: StoreWriterOptions = {}): StoreWriter {
  const log = options.log ?? defaultLog;
  const now = options.now ?? Date.now;
  const slowFlushMs = options.slowFlushMs ?? 50;
  const appliers = options.appliers ?? {};
  db.pragma(`busy_timeout = ${STALL_BUSY_TIMEOUT_MS}`);

  const statements = {
    upsertEvent: db.prepare(
      `INSERT INTO events (id, correlation_id, type, channel, connector, login, user_id, at, stage, disposition,
                           reason, text, updated_at, envelope)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET
         correlation_id = excluded.correlation_id, type = excluded.type, channel = excluded.channel,
         connector = excluded.connector, login = excluded.login, user_id = excluded.user_id, at = excluded.at,
         stage = excluded.stage, disposition = excluded.disposition, reason = excluded.reason, text = excluded.text,
         updated_at = excluded.updated_at, envelope = excluded.envelope
       RETURNING rowid`,
    ),
    eventRowid: db.prepare<[string], { rowid: number }>('SELECT rowid FROM events WHERE id = ?'),
    insertStep: db.prepare(
      `INSERT INTO slip_steps (event_id, event_rowid, stage, idx, service, phase, status, attempt, at, duration_ms,
                               error, notes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
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
    prunableEvents: db.prepare<[number, number], { rowid: number; id: string }>(
      `SELECT rowid, id FROM events WHERE at < ? AND stage = 'terminal' ORDER BY at DESC, id DESC LIMIT ?`,
    ),
    pruneSteps: db.prepare('DELETE FROM slip_steps WHERE event_rowid = ?'),
    pruneApprovals: db.prepare('DELETE FROM approvals WHERE event_id = ?'),
    pruneDeliveries: db.prepare('DELETE FROM deliveries WHERE event_id = ?'),
    pruneEvent: db.prepare('DELETE FROM events WHERE id = ?'),
    pruneRejections: db.prepare('DELETE FROM ingress_rejections WHERE at < ?'),
  };

  /**
   * events.rowid of recent events, so each step row gets its event's rowid without a lookup in
   * the uuid index. Two generations bound the memory: an event lives seconds, rarely minutes.
   */
  const rowids = (() => {
    let current = new Map<string, number>();
    let previous = new Map<string, number>();
    return {
      set(id: string, rowid: number): void {
        if (current.size >= ROWID_CACHE_GENERATION) {
          previous = current;
          current = new Map();
        }
        current.set(id, rowid);
      },
      get(id: string): number | undefined {
        return current.get(id) ?? previous.get(id) ?? statements.eventRowid.get(id)?.rowid;
      },
      delete(id: string): void {
        current.delete(id);
        previous.delete(id);
      },
      /** After a rollback: a cached rowid may belong to an insert that never happened. */
      clear(): void {
        current = new Map();
        previous = new Map();
      },
    };
  })();

  const upsertEvent = (event: Envelope | EventRow, updatedAt: number): void => {
    const value = 'json' in event ? event : toEventRow(event);
    const row = statements.upsertEvent.get(
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
  };

  const appendSteps = (transitions: readonly StepTransition[], notes: FlushNotes): void => {
    for (const step of transitions) {
      const eventRowid = rowids.get(step.eventId);
      // A step of an event that was never stored: kept (it is evidence) but reported.
      if (eventRowid === undefined) notes.orphanSteps += 1;
      statements.insertStep.run(
        step.eventId,
        eventRowid ?? null,
        step.stage,
        step.index,
        step.service,
        step.phase,
        step.status,
        step.attempt,
        step.at,
        step.durationMs ?? null,
        step.error ? JSON.stringify(step.error) : null,
        step.notes ? JSON.stringify(step.notes) : null,
      );
    }
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

  /** Per-flush bookkeeping that is reported once after the commit, not once per op. */
  interface FlushNotes {
    events: number;
    steps: number;
    ops: number;
    rejections: number;
    orphanSteps: number;
    dropped: Map<string, number>;
  }

  /** Applies one known or extension op. Throws on a malformed op (the caller names it). */
  const applyOp = (op: unknown, updatedAt: number, notes: FlushNotes): void => {
    const name = opName(op);
    notes.ops += 1;
    const known = op as StoreWrite;
    switch (name) {
      case 'event.upsert':
        notes.events += 1;
        return upsertEvent((known as Extract<StoreWrite, { op: 'event.upsert' }>).event, updatedAt);
      case 'steps.append': {
        const transitions = (known as Extract<StoreWrite, { op: 'steps.append' }>).transitions;
        notes.steps += transitions.length;
        return appendSteps(transitions, notes);
      }
      case 'approval.upsert':
        return upsertApproval((known as Extract<StoreWrite, { op: 'approval.upsert' }>).approval);
      case 'user.upsert':
        return upsertUser((known as Extract<StoreWrite, { op: 'user.upsert' }>).user);
      case 'rule.upsert': {
        const rule: Rule = (known as Extract<StoreWrite, { op: 'rule.upsert' }>).rule;
        statements.upsertRule.run(rule.id, JSON.stringify(rule), updatedAt);
        return;
      }
      case 'rule.delete':
        statements.deleteRule.run((known as Extract<StoreWrite, { op: 'rule.delete' }>).id);
        return;
      case 'command.upsert': {
        const command: CommandDefinition = (known as Extract<StoreWrite, { op: 'command.upsert' }>).command;
        statements.upsertCommand.run(command.id, JSON.stringify(command), updatedAt);
        return;
      }
      case 'command.delete':
        statements.deleteCommand.run((known as Extract<StoreWrite, { op: 'command.delete' }>).id);
        return;
      case 'setting.set': {
        const { key, value } = known as Extract<StoreWrite, { op: 'setting.set' }>;
        // `undefined` has no JSON form: it means "back to the default".
        if (value === undefined) statements.deleteSetting.run(key);
        else statements.setSetting.run(key, JSON.stringify(value));
        return;
      }
      case 'delivery.finish': {
        const { key, status, detail, at } = (known as Extract<StoreWrite, { op: 'delivery.finish' }>).result;
        if (statements.finishDelivery.run(status, detail ?? null, at, key).changes === 0) {
          log('warn', 'delivery.finish for a key that was never claimed', { key, status });
        }
        return;
      }
      case 'rejection.record':
        notes.rejections += 1;
        return recordRejection((known as Extract<StoreWrite, { op: 'rejection.record' }>).rejection);
      default: {
        const applier = name !== undefined && Object.hasOwn(appliers, name) ? appliers[name] : undefined;
        if (applier) return applier(db, op);
        const label = name ?? `(not an op: ${typeof op})`;
        notes.dropped.set(label, (notes.dropped.get(label) ?? 0) + 1);
      }
    }
  };

  const runTask = (task: Task, at: number): void => {
    if (task.kind === 'claim') {
      const { key, eventId, connector, text } = task.claim;
      const status = task.claim.status === 'sent' ? 'sent' : 'claimed';
      const claimedAt = task.claim.at ?? at;
      task.claimed =
        statements.claimDelivery.run(
          key,
          eventId,
          connector,
          text,
          status,
          claimedAt,
          status === 'sent' ? claimedAt : null,
        ).changes === 1;
    }
  };

  /** Orders the tasks' work into actions; upserts of one event coalesce into the first one's place. */
  const plan = (tasks: readonly Task[]): Action[] => {
    const actions: Action[] = [];
    const upserts = new Map<string, { kind: 'upsert'; event: Envelope | EventRow }>();
    for (const task of tasks) {
      if (task.kind !== 'write') {
        actions.push({ kind: 'task', task });
        continue;
      }
      for (const op of task.ops) {
        const name = opName(op);
        const event =
          name === 'event.upsert'
            ? (op as { event?: Envelope }).event
            : name === 'event.put'
              ? (op as { row?: EventRow }).row
              : undefined;
        const id = typeof event?.id === 'string' ? event.id : undefined;
        if (event === undefined || id === undefined) {
          actions.push({ kind: 'op', op });
          continue;
        }
        const earlier = upserts.get(id);
        if (earlier) {
          earlier.event = event;
        } else {
          const action = { kind: 'upsert' as const, event };
          upserts.set(id, action);
          actions.push(action);
        }
      }
    }
    return actions;
  };

  const commit = db.transaction((actions: readonly Action[], notes: FlushNotes, at: number): void => {
    for (const action of actions) {
      try {
        if (action.kind === 'upsert') {
          notes.ops += 1;
          notes.events += 1;
          upsertEvent(action.event, at);
        } else if (action.kind === 'op') applyOp(action.op, at, notes);
        else runTask(action.task, at);
      } catch (error) {
        if (isLockBusy(error)) throw error;
        const what =
          action.kind === 'task' ? action.task.kind : action.kind === 'upsert' ? 'event.upsert' : opName(action.op);
        throw new CodedError('STORE_WRITE_FAILED', `store write "${what ?? 'unknown'}" failed: ${describe(error)}`);
      }
    }
    if (notes.rejections > 0) statements.trimRejections.run(MAX_REJECTIONS);
  });

  const settle = (task: Task, error?: unknown): void => {
    if (error !== undefined) task.done.reject(error);
    else if (task.kind === 'claim') task.done.resolve(task.claimed === true);
    else task.done.resolve();
  };

  let queue: Task[] = [];
  let scheduled: { cancel(): void } | undefined;
  /**
   * Group commit: a commit costs about the same for 10 writes as for 1,000 (it rewrites the same
   * index pages), so under load the next flush waits as long as the last one took (at most
   * MAX_GROUP_WAIT_MS) to gather more. Idle, it runs on the next turn of the event loop.
   */
  let lastFlushMs = 0;
  const MAX_GROUP_WAIT_MS = 5;
  const schedule = () => {
    if (scheduled) return;
    const wait = Math.min(MAX_GROUP_WAIT_MS, Math.floor(lastFlushMs));
    if (wait >= 1) {
      const timer = setTimeout(flushNow, wait);
      scheduled = { cancel: () => clearTimeout(timer) };
    } else {
      const immediate = setImmediate(flushNow);
      scheduled = { cancel: () => clearImmediate(immediate) };
    }
  };
  let closed = false;
  let stallTimer: ReturnType<typeof setTimeout> | undefined;
  let stalledSince = 0;
  let pruning: Promise<number> | undefined;

  const newNotes = (): FlushNotes => ({
    events: 0,
    steps: 0,
    ops: 0,
    rejections: 0,
    orphanSteps: 0,
    dropped: new Map(),
  });

  let lastSlowLog = -Infinity;
  let slowSuppressed = 0;
  const report = (notes: FlushNotes, tasks: number, ms: number): void => {
    for (const [op, count] of notes.dropped) {
      log('warn', `dropped ${count} store write(s) of an unknown kind "${op}"`, { op, count });
    }
    if (notes.orphanSteps > 0) {
      log('warn', 'slip steps written for events that are not stored', { count: notes.orphanSteps });
    }
    if (ms > slowFlushMs) {
      // Under sustained load every flush is big and slow; one line per interval says so without
      // flooding the log.
      const clock = performance.now();
      if (clock - lastSlowLog < SLOW_LOG_INTERVAL_MS) {
        slowSuppressed += 1;
        return;
      }
      log('warn', 'slow store flush', {
        ms: Math.round(ms),
        calls: tasks,
        ops: notes.ops,
        events: notes.events,
        steps: notes.steps,
        ...(slowSuppressed > 0 ? { alsoSlowSinceLastReport: slowSuppressed } : {}),
      });
      lastSlowLog = clock;
      slowSuppressed = 0;
    }
  };

  /** Commits everything queued. Synchronous: better-sqlite3 blocks this thread for the commit. */
  const flushNow = (): void => {
    scheduled?.cancel();
    scheduled = undefined;
    stallTimer = undefined;
    const at = now();
    // Callers that set a deadline (ingress acks) get a clear "not stored" instead of a late commit.
    const tasks: Task[] = [];
    for (const task of queue) {
      if (task.kind === 'write' && task.deadline !== undefined && at > task.deadline) {
        task.done.reject(new CodedError('UNAVAILABLE', STORE_STALLED_MESSAGE));
      } else tasks.push(task);
    }
    queue = [];
    if (tasks.length === 0) return;
    const started = performance.now();
    const notes = newNotes();
    try {
      commit.immediate(plan(tasks), notes, at);
    } catch (batchError) {
      rowids.clear();
      if (isLockBusy(batchError)) {
        // Another program holds the write lock: nothing is lost, the batch waits for it.
        queue = [...tasks, ...queue];
        if (!stalledSince) {
          stalledSince = at;
          log('warn', 'the database is locked by another program; writes wait', { error: describe(batchError) });
        }
        if (!closed) stallTimer = setTimeout(flushNow, STALL_RETRY_MS);
        scheduled = stallTimer ? { cancel: () => clearTimeout(stallTimer) } : undefined;
        return;
      }
      // One bad write must not sink the others that happened to share its tick: retry each
      // caller's writes in a transaction of its own, so only the culprit sees the error.
      log('error', 'store batch failed; retrying each write alone', {
        error: describe(batchError),
        calls: tasks.length,
      });
      for (const task of tasks) {
        const own = newNotes();
        try {
          commit.immediate(plan([task]), own, at);
          settle(task);
        } catch (error) {
          rowids.clear();
          settle(task, error);
        }
        for (const [op, count] of own.dropped) notes.dropped.set(op, (notes.dropped.get(op) ?? 0) + count);
      }
      lastFlushMs = performance.now() - started;
      report(notes, tasks.length, lastFlushMs);
      return;
    }
    for (const task of tasks) settle(task);
    if (stalledSince) {
      log('info', 'the database lock was released; queued writes committed', { stalledMs: at - stalledSince });
      stalledSince = 0;
    }
    lastFlushMs = performance.now() - started;
    report(notes, tasks.length, lastFlushMs);
  };

  const enqueue = <T>(make: (done: Deferred<T>) => Task): Promise<T> => {
    if (closed) return Promise.reject(new CodedError('STORE_CLOSED', 'the store is closed'));
    return new Promise<T>((resolve, reject) => {
      queue.push(make({ resolve, reject }));
      schedule();
    });
  };

  const pruneChunks = async (before: number): Promise<number> => {
    let total = 0;
    const deleteChunk = db.transaction((): number => {
      const ids = statements.prunableEvents.all(before, PRUNE_CHUNK);
      for (const { rowid, id } of ids) {
        rowids.delete(id);
        statements.pruneSteps.run(rowid);
        statements.pruneApprovals.run(id);
        statements.pruneDeliveries.run(id);
        statements.pruneEvent.run(id);
      }
      return ids.length;
    });
    for (;;) {
      let deleted: number;
      try {
        deleted = deleteChunk.immediate();
      } catch (error) {
        rowids.clear();
        throw error;
      }
      total += deleted;
      if (deleted < PRUNE_CHUNK || closed) break;
      // Let the writes that arrived meanwhile commit before the next chunk.
      await new Promise((resolve) => setImmediate(resolve));
    }
    statements.pruneRejections.run(before);
    return total;
  };

  return {
    write(batch) {
      if (!Array.isArray(batch)) {
        return Promise.reject(new CodedError('INVALID_WRITE', 'store write: the batch must be an array of ops'));
      }
      return enqueue<void>((done) => ({ kind: 'write', ops: batch, done }));
    },
    writeWithin({ batch, deadline }) {
      if (!Array.isArray(batch) || typeof deadline !== 'number') {
        return Promise.reject(
          new CodedError('INVALID_WRITE', 'store writeWithin: expected { batch: ops[], deadline: ms }'),
        );
      }
      return enqueue<void>((done) => ({ kind: 'write', ops: batch, done, deadline }));
    },
    claimDelivery(claim) {
      return enqueue<boolean>((done) => ({ kind: 'claim', claim, done }));
    },
    claimDeliveries(claims) {
      if (!Array.isArray(claims)) {
        return Promise.reject(new CodedError('INVALID_WRITE', 'claimDeliveries: expected an array of claims'));
      }
      return Promise.all(claims.map((claim) => enqueue<boolean>((done) => ({ kind: 'claim', claim, done }))));
    },
    flush() {
      flushNow();
      return Promise.resolve();
    },
    async prune({ before }) {
      if (closed) throw new CodedError('STORE_CLOSED', 'the store is closed');
      if (typeof before !== 'number' || !Number.isFinite(before)) {
        throw new CodedError('INVALID_PRUNE', 'prune: "before" must be a timestamp in milliseconds');
      }
      // Queued writes first: an event finished in this tick is prunable by this call.
      flushNow();
      const previous = pruning ?? Promise.resolve(0);
      const run = previous.catch(() => 0).then(() => pruneChunks(before));
      pruning = run;
      try {
        const count = await run;
        log('info', 'pruned terminal events', { before, count });
        return count;
      } finally {
        if (pruning === run) pruning = undefined;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      flushNow();
      // Still locked by another program at shutdown: say so to every waiting caller.
      for (const task of queue.splice(0)) task.done.reject(new CodedError('UNAVAILABLE', STORE_STALLED_MESSAGE));
      scheduled?.cancel();
      await pruning?.catch(() => 0);
      db.close();
    },
  };
}
