/**
 * The single SQLite writer: serves the store protocol by putting the caller's ops through the op
 * registry (op-registry.ts) inside the commit queue's batched transactions (commit-queue.ts), the
 * tables' SQL (store-tables.ts), pruning (prune.ts) and the search index kept off the hot path
 * (search-index.ts). `write()` resolves only after its commit.
 */
import type { DeliveryClaim, StoreProtocol, StoreWrite } from '../../core/protocol/store.js';
import { CodedError, type RequestHandlers } from '../../core/rpc.js';
import {
  createCommitQueue,
  describeError,
  isLockBusy,
  type FlushNotes,
  type StoreLog,
  type Task,
} from './commit-queue.js';
import type { WriteDb } from './database.js';
import { applyOp, buildOpRegistry, checkBatch, createExtensionParts, type ExtensionParts } from './op-registry.js';
import { createPruner } from './prune.js';
import { createSearchIndexer, SEARCH_INDEX_DELAY_MS } from './search-index.js';
import { createStoreTables } from './store-tables.js';

export type { StoreLog } from './commit-queue.js';

export interface StoreWriterOptions {
  /** The LLM, gateway and feature appliers; the app's own by default (tests may swap one part). */
  parts?: Partial<ExtensionParts>;
  log?: StoreLog;
  now?: () => number;
  /** A flush slower than this is logged as a warning. */
  slowFlushMs?: number;
  /** How long after a commit its new rows are indexed for search, at most. */
  searchIndexDelayMs?: number;
}

export interface StoreWriter {
  write(batch: readonly StoreWrite[]): Promise<void>;
  /** Like `write`, but rejected with UNAVAILABLE (nothing written) if it cannot start to commit before `deadline`. */
  writeWithin(params: { batch: readonly StoreWrite[]; deadline: number }): Promise<void>;
  claimDelivery(claim: DeliveryClaim): Promise<boolean>;
  claimDeliveries(claims: DeliveryClaim[]): Promise<boolean[]>;
  flush(): Promise<void>;
  prune(params: { before: number }): Promise<number>;
  /** Commits what is queued, indexes what search has not seen, then closes the connection. Later calls reject with STORE_CLOSED. */
  close(): Promise<void>;
}

// The writer serves the store worker's protocol as it is declared: a mismatch fails to compile.
const _servesProtocol = (writer: StoreWriter): RequestHandlers<StoreProtocol> => writer;

const defaultLog: StoreLog = (level, message, fields) => {
  if (level === 'warn' || level === 'error') console.error(`[store] ${level}: ${message}`, fields ?? '');
};

export function createStoreWriter(db: WriteDb, options: StoreWriterOptions = {}): StoreWriter {
  const log = options.log ?? defaultLog;
  const tables = createStoreTables(db, log);
  const registry = buildOpRegistry(tables.appliers, createExtensionParts(log, options.parts));
  const search = createSearchIndexer(db);
  const pruner = createPruner(db, { rowids: tables.rowids });
  const searchDelayMs = options.searchIndexDelayMs ?? SEARCH_INDEX_DELAY_MS;

  // Search indexing: a batch of its own, armed by the first commit that added event rows.
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  const indexSearch = (): void => {
    searchTimer = undefined;
    let more: boolean;
    try {
      more = search.indexBatch();
    } catch (error) {
      log('error', 'indexing messages for search failed; retrying', { error: describeError(error) });
      more = true;
    }
    if (more && !queue.closed) armSearch();
  };
  const armSearch = (): void => {
    if (searchTimer) return;
    searchTimer = setTimeout(indexSearch, searchDelayMs);
    searchTimer.unref?.();
  };

  const apply = (tasks: readonly Task[], notes: FlushNotes, at: number): void => {
    const context = { at, notes };
    const run = (what: string, work: () => void): void => {
      try {
        work();
      } catch (error) {
        if (isLockBusy(error)) throw error;
        throw new CodedError('STORE_WRITE_FAILED', `store write "${what}" failed: ${describeError(error)}`);
      }
    };
    for (const task of tasks) {
      if (task.kind === 'claim') run('claim', () => (task.claimed = tables.claimDelivery(task.claim, at)));
      else for (const op of task.ops as readonly StoreWrite[]) run(op.op, () => applyOp(registry, db, op, context));
    }
    tables.afterOps(notes);
  };

  const queue = createCommitQueue(db, {
    log,
    now: options.now ?? Date.now,
    slowFlushMs: options.slowFlushMs ?? 50,
    apply,
    onRollback: () => tables.rowids.clear(),
    onCommitted: (notes) => {
      if (notes.events > 0) armSearch();
    },
  });
  // Rows a crash left unindexed are indexed soon after start.
  if (search.behind()) armSearch();

  let pruning: Promise<number> | undefined;

  const enqueueWrite = (batch: unknown, deadline?: number): Promise<void> => {
    if (!Array.isArray(batch)) {
      return Promise.reject(new CodedError('INVALID_WRITE', 'store write: the batch must be an array of ops'));
    }
    const refused = checkBatch(registry, batch);
    if (refused) return Promise.reject(refused);
    return queue.enqueue<void>((done) => ({
      kind: 'write',
      ops: batch,
      done,
      ...(deadline !== undefined ? { deadline } : {}),
    }));
  };

  return {
    write(batch) {
      return enqueueWrite(batch);
    },
    writeWithin({ batch, deadline }) {
      if (typeof deadline !== 'number') {
        return Promise.reject(
          new CodedError('INVALID_WRITE', 'store writeWithin: expected { batch: ops[], deadline: ms }'),
        );
      }
      return enqueueWrite(batch, deadline);
    },
    claimDelivery(claim) {
      return queue.enqueue<boolean>((done) => ({ kind: 'claim', claim, done }));
    },
    claimDeliveries(claims) {
      if (!Array.isArray(claims)) {
        return Promise.reject(new CodedError('INVALID_WRITE', 'claimDeliveries: expected an array of claims'));
      }
      return Promise.all(claims.map((claim) => queue.enqueue<boolean>((done) => ({ kind: 'claim', claim, done }))));
    },
    flush() {
      queue.flushNow();
      return Promise.resolve();
    },
    async prune({ before }) {
      if (queue.closed) throw new CodedError('STORE_CLOSED', 'the store is closed');
      if (typeof before !== 'number' || !Number.isFinite(before)) {
        throw new CodedError('INVALID_PRUNE', 'prune: "before" must be a timestamp in milliseconds');
      }
      // Queued writes first: an event finished in this tick is prunable by this call.
      queue.flushNow();
      const previous = pruning ?? Promise.resolve(0);
      const run = previous.catch(() => 0).then(() => pruner.prune(before, () => queue.closed));
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
      if (queue.closed) return;
      queue.close();
      await pruning?.catch(() => 0);
      if (searchTimer) clearTimeout(searchTimer);
      searchTimer = undefined;
      // What search has not seen yet is indexed now, so the next start begins level.
      // Bounded: a lock held by another program at shutdown must not hold the shutdown (each try waits 200 ms).
      try {
        for (let batch = 0; batch < 20 && search.indexBatch(); batch += 1);
      } catch (error) {
        log('warn', 'indexing messages for search at close failed; the next start does it', {
          error: describeError(error),
        });
      }
      db.close();
    },
  };
}
