/**
 * Message search (FTS5 `events_fts`) maintained off the pipeline's commits: the writer's commits
 * only insert event rows; this indexes the rows added since the last batch, in a transaction of its
 * own, at most SEARCH_INDEX_DELAY_MS after they were committed. Search therefore lags the pipeline
 * by up to about a second (the console says nothing about it: a message is findable a moment after
 * it shows).
 *
 * The watermark `search.indexed_rowid` in `store_meta` is the highest events.rowid indexed: every
 * row at or below it with text is in the index, none above it is. The delete and text-update
 * triggers (migration 7) act only on rows at or below it, and a delete lowers it to the last rowid
 * when needed (SQLite reuses rowids above the last one), so the index and the table never disagree.
 */
import { isLockBusy } from './commit-queue.js';
import type { WriteDb } from './database.js';

const SEARCH_WATERMARK_KEY = 'search.indexed_rowid';
/** How long after a commit its rows become searchable, at most (plus the batch's own time). */
export const SEARCH_INDEX_DELAY_MS = 500;
/** Rows per indexing transaction, so a backlog never holds the write lock for long. */
const SEARCH_BATCH_ROWS = 5_000;

export interface SearchIndexer {
  /** Indexes one batch in its own transaction. Returns true when rows remain (or the lock was busy). */
  indexBatch(): boolean;
  /** Rows not yet indexed exist. */
  behind(): boolean;
}

export function createSearchIndexer(db: WriteDb, options: { batchRows?: number } = {}): SearchIndexer {
  const batchRows = options.batchRows ?? SEARCH_BATCH_ROWS;
  const statements = {
    watermark: db.prepare<[], { value: number }>(
      `SELECT CAST(value AS INTEGER) AS value FROM store_meta WHERE key = '${SEARCH_WATERMARK_KEY}'`,
    ),
    setWatermark: db.prepare<[number]>(
      `INSERT OR REPLACE INTO store_meta (key, value) VALUES ('${SEARCH_WATERMARK_KEY}', CAST(? AS TEXT))`,
    ),
    lastRowid: db.prepare<[], { rowid: number | null }>('SELECT max(rowid) AS rowid FROM events'),
    index: db.prepare<[number, number]>(
      `INSERT INTO events_fts (rowid, text)
       SELECT rowid, text FROM events WHERE rowid > ? AND rowid <= ? AND text IS NOT NULL`,
    ),
  };
  const watermark = () => statements.watermark.get()?.value ?? 0;
  const lastRowid = () => statements.lastRowid.get()?.rowid ?? 0;

  const batch = db.transaction((): boolean => {
    const from = watermark();
    const last = lastRowid();
    // The delete trigger keeps the watermark at or below the last rowid; this is only a safeguard.
    if (last < from) {
      statements.setWatermark.run(last);
      return false;
    }
    if (last === from) return false;
    const to = Math.min(last, from + batchRows);
    statements.index.run(from, to);
    statements.setWatermark.run(to);
    return to < last;
  });

  return {
    indexBatch() {
      try {
        return batch.immediate();
      } catch (error) {
        // Another program holds the write lock: the rows wait for the next batch.
        if (isLockBusy(error)) return true;
        throw error;
      }
    },
    behind() {
      return lastRowid() > watermark();
    },
  };
}
