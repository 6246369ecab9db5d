/**
 * Pruning: deletes terminal events older than a cut-off with their log rows, approvals and
 * deliveries, in chunks (one transaction each) so a large prune never stalls the pipeline's writes,
 * and the ingress rejections and counter changes older than the cut-off. The FTS delete trigger (migration 7) removes their
 * text from the search index and keeps its watermark valid.
 */
import type { WriteDb } from './database.js';
import type { RowidCache } from './store-tables.js';

/** Events deleted per prune transaction. */
const PRUNE_CHUNK = 2_000;

export interface Pruner {
  /** Deletes in chunks, yielding to the event loop between them; stops early when `stopped()`. */
  prune(before: number, stopped: () => boolean): Promise<number>;
}

export function createPruner(db: WriteDb, deps: { rowids: RowidCache }): Pruner {
  const statements = {
    prunableEvents: db.prepare<[number, number], { rowid: number; id: string }>(
      `SELECT rowid, id FROM events WHERE at < ? AND stage = 'terminal' ORDER BY at DESC, id DESC LIMIT ?`,
    ),
    pruneLog: db.prepare('DELETE FROM event_log WHERE event_rowid = ?'),
    pruneApprovals: db.prepare('DELETE FROM approvals WHERE event_id = ?'),
    pruneDeliveries: db.prepare('DELETE FROM deliveries WHERE event_id = ?'),
    pruneEvent: db.prepare('DELETE FROM events WHERE rowid = ?'),
    pruneRejections: db.prepare('DELETE FROM ingress_rejections WHERE at < ?'),
    // A counter change is kept only so that a retry of its own step does not count twice, and
    // steps are retried within seconds, never days (the retention is at least one day).
    pruneCounterChanges: db.prepare('DELETE FROM counter_changes WHERE at < ?'),
  };

  const deleteChunk = db.transaction((before: number): number => {
    const events = statements.prunableEvents.all(before, PRUNE_CHUNK);
    for (const { rowid, id } of events) {
      deps.rowids.delete(id);
      statements.pruneLog.run(rowid);
      statements.pruneApprovals.run(id);
      statements.pruneDeliveries.run(id);
      statements.pruneEvent.run(rowid);
    }
    return events.length;
  });

  return {
    async prune(before, stopped) {
      let total = 0;
      for (;;) {
        let deleted: number;
        try {
          deleted = deleteChunk.immediate(before);
        } catch (error) {
          deps.rowids.clear();
          throw error;
        }
        total += deleted;
        if (deleted < PRUNE_CHUNK || stopped()) break;
        // Let the writes that arrived meanwhile commit before the next chunk.
        await new Promise((resolve) => setImmediate(resolve));
      }
      statements.pruneRejections.run(before);
      statements.pruneCounterChanges.run(before);
      return total;
    },
  };
}
