/**
 * The writer's commit queue: every call is a task; the tasks that arrive in one turn of the event
 * loop commit in ONE transaction (group commit), and each task's promise settles after that commit.
 *
 * Why batches: one transaction per event would cap the pipeline at a few thousand events/s (each
 * commit costs a WAL append plus a lock round-trip); one transaction per tick costs the same whether
 * it holds 1 or 10,000 writes. `write()` resolves only once its batch is on disk (WAL,
 * synchronous=NORMAL: durable against an app crash, the last commits may be lost on power failure,
 * which is SQLite's documented trade-off).
 *
 * What the queue knows: tasks, deadlines, stalls (another program holding the write lock), retries
 * of a failed batch one task at a time, slow-flush reporting. What a task does inside the
 * transaction is the caller's `apply` (store-tables.ts via op-registry.ts).
 */
import type { DeliveryClaim } from '../../core/protocol/store.js';
import { CodedError, type LogLevel } from '../../core/rpc.js';
import type { WriteDb } from './database.js';

export type StoreLog = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/**
 * How long one commit attempt waits for another connection's write lock (a DB browser mid-edit,
 * a backup tool). Short, so this thread stays responsive (heartbeats, answers) while the lock is
 * held; the queue keeps its tasks and tries again every STALL_RETRY_MS, however long the stall.
 */
export const STALL_BUSY_TIMEOUT_MS = 200;
const STALL_RETRY_MS = 50;
const SLOW_LOG_INTERVAL_MS = 10_000;
/**
 * Group commit: a commit costs about the same for 10 writes as for 1,000 (it rewrites the same
 * index pages), so under load the next flush waits as long as the last one took (at most this) to
 * gather more. Idle, it runs on the next turn of the event loop.
 */
const MAX_GROUP_WAIT_MS = 5;
/**
 * Commits start at most this often. Each commit writes its pages to the WAL (and the checkpoint
 * copies them again), whatever it holds: at a thousand events a second with several writers
 * (ingress's accepts, the router's log rows, the services' writes, egress's claims) one commit per
 * tick each cost more than the rows themselves. Spaced, they share one commit; an ack waits at most
 * this much longer.
 */
const MIN_COMMIT_SPACING_MS = 1;

export const STORE_STALLED_MESSAGE =
  'the store is stalled (the database is locked by another program); nothing was written, try again';

interface Deferred<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

export type Task =
  | { kind: 'write'; ops: readonly unknown[]; done: Deferred<void>; deadline?: number }
  | { kind: 'claim'; claim: DeliveryClaim; done: Deferred<boolean>; claimed?: boolean };

/** Per-flush bookkeeping, reported once after the commit, not once per op. */
export interface FlushNotes {
  ops: number;
  /** Event rows written (put, upsert, end). */
  events: number;
  /** `event_log` rows appended. */
  logRows: number;
  rejections: number;
  /** Log entries of events that are not stored (skipped: there is no row to hang them on). */
  orphanLogs: number;
}

const newFlushNotes = (): FlushNotes => ({ ops: 0, events: 0, logRows: 0, rejections: 0, orphanLogs: 0 });

export function isLockBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface CommitQueueOptions {
  log: StoreLog;
  now: () => number;
  slowFlushMs: number;
  /** Runs inside the transaction: does the tasks' work in order. Throws to roll the batch back. */
  apply(tasks: readonly Task[], notes: FlushNotes, at: number): void;
  /** After a rollback (caches may hold rowids of inserts that never happened). */
  onRollback(): void;
  /** After each successful commit, outside the transaction. */
  onCommitted(notes: FlushNotes): void;
}

export interface CommitQueue {
  enqueue<T>(make: (done: Deferred<T>) => Task): Promise<T>;
  /** Commits everything queued, now. Synchronous: better-sqlite3 blocks this thread for the commit. */
  flushNow(): void;
  /** Commits what is queued; tasks still queued (a stall) are rejected. Later enqueues reject with STORE_CLOSED. */
  close(): void;
  readonly closed: boolean;
}

export function createCommitQueue(db: WriteDb, options: CommitQueueOptions): CommitQueue {
  const { log, now, slowFlushMs } = options;
  db.pragma(`busy_timeout = ${STALL_BUSY_TIMEOUT_MS}`);
  const commit = db.transaction((tasks: readonly Task[], notes: FlushNotes, at: number) =>
    options.apply(tasks, notes, at),
  );

  const settle = (task: Task, error?: unknown): void => {
    if (error !== undefined) task.done.reject(error);
    else if (task.kind === 'claim') task.done.resolve(task.claimed === true);
    else task.done.resolve();
  };

  let queue: Task[] = [];
  let scheduled: { cancel(): void } | undefined;
  let lastFlushMs = 0;
  let lastFlushStart = -Infinity;
  let closed = false;
  let stalledSince = 0;

  const schedule = () => {
    if (scheduled) return;
    const spacing = MIN_COMMIT_SPACING_MS - (performance.now() - lastFlushStart);
    const wait = Math.max(Math.min(MAX_GROUP_WAIT_MS, Math.floor(lastFlushMs)), Math.ceil(spacing));
    if (wait >= 1) {
      const timer = setTimeout(flushNow, wait);
      scheduled = { cancel: () => clearTimeout(timer) };
    } else {
      const immediate = setImmediate(flushNow);
      scheduled = { cancel: () => clearImmediate(immediate) };
    }
  };

  let lastSlowLog = -Infinity;
  let slowSuppressed = 0;
  const report = (notes: FlushNotes, tasks: number, ms: number): void => {
    if (notes.orphanLogs > 0) {
      log('warn', 'event log entries for events that are not stored were skipped', { count: notes.orphanLogs });
    }
    if (ms <= slowFlushMs) return;
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
      logRows: notes.logRows,
      ...(slowSuppressed > 0 ? { alsoSlowSinceLastReport: slowSuppressed } : {}),
    });
    lastSlowLog = clock;
    slowSuppressed = 0;
  };

  const flushNow = (): void => {
    scheduled?.cancel();
    scheduled = undefined;
    lastFlushStart = performance.now();
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
    const notes = newFlushNotes();
    try {
      commit.immediate(tasks, notes, at);
    } catch (batchError) {
      options.onRollback();
      if (isLockBusy(batchError)) {
        // Another program holds the write lock: nothing is lost, the batch waits for it.
        queue = [...tasks, ...queue];
        if (!stalledSince) {
          stalledSince = at;
          log('warn', 'the database is locked by another program; writes wait', { error: describeError(batchError) });
        }
        if (!closed) {
          const timer = setTimeout(flushNow, STALL_RETRY_MS);
          scheduled = { cancel: () => clearTimeout(timer) };
        }
        return;
      }
      // One bad write must not sink the others that happened to share its tick: retry each
      // caller's writes in a transaction of its own, so only the culprit sees the error.
      log('error', 'store batch failed; retrying each write alone', {
        error: describeError(batchError),
        calls: tasks.length,
      });
      // What is reported is what the retries committed, not the rolled-back batch.
      const committed = newFlushNotes();
      for (const task of tasks) {
        const own = newFlushNotes();
        try {
          commit.immediate([task], own, at);
          settle(task);
          options.onCommitted(own);
          for (const key of Object.keys(committed) as (keyof FlushNotes)[]) committed[key] += own[key];
        } catch (error) {
          options.onRollback();
          settle(task, error);
        }
      }
      lastFlushMs = performance.now() - started;
      report(committed, tasks.length, lastFlushMs);
      return;
    }
    for (const task of tasks) settle(task);
    if (stalledSince) {
      log('info', 'the database lock was released; queued writes committed', { stalledMs: at - stalledSince });
      stalledSince = 0;
    }
    lastFlushMs = performance.now() - started;
    report(notes, tasks.length, lastFlushMs);
    options.onCommitted(notes);
  };

  return {
    enqueue<T>(make: (done: Deferred<T>) => Task): Promise<T> {
      if (closed) return Promise.reject(new CodedError('STORE_CLOSED', 'the store is closed'));
      return new Promise<T>((resolve, reject) => {
        queue.push(make({ resolve, reject }));
        schedule();
      });
    },
    flushNow,
    close() {
      if (closed) return;
      closed = true;
      flushNow();
      // Still locked by another program at shutdown: say so to every waiting caller.
      for (const task of queue.splice(0)) task.done.reject(new CodedError('UNAVAILABLE', STORE_STALLED_MESSAGE));
      scheduled?.cancel();
      scheduled = undefined;
    },
    get closed() {
      return closed;
    },
  };
}
