/**
 * WAL checkpoints on a connection of their own. SQLite's automatic checkpoint runs inside the
 * COMMIT that crosses `wal_autocheckpoint` pages, so one event's commit in a thousand paid for
 * copying the whole WAL into the database; the writer turns that off (`openWriteConnection`) and
 * this runs a PASSIVE checkpoint on a timer instead, between commits. PASSIVE never waits for a
 * lock and never blocks the writer or readers; what it cannot copy now it copies next time.
 * Durability is unchanged: a commit is durable once it is in the WAL, checkpointed or not.
 */
import Database from 'better-sqlite3';
import type { LogLevel } from '../../core/rpc.js';

export interface CheckpointResult {
  /** 1 when a lock kept the checkpoint from finishing (it is retried on the next tick). */
  busy: number;
  /** Frames in the WAL. */
  log: number;
  /** Frames copied into the database. */
  checkpointed: number;
}

export interface Checkpointer {
  /** One PASSIVE checkpoint now (the timer calls this). */
  run(): CheckpointResult;
  /** Stops the timer, checkpoints what is left (TRUNCATE empties the WAL file) and closes. */
  stop(): void;
}

export const CHECKPOINT_INTERVAL_MS = 1000;

export function startCheckpointer(
  file: string,
  options: {
    intervalMs?: number;
    log?: (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;
  } = {},
): Checkpointer {
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  const checkpoint = (mode: 'PASSIVE' | 'TRUNCATE'): CheckpointResult => {
    const [row] = db.pragma(`wal_checkpoint(${mode})`) as { busy: number; log: number; checkpointed: number }[];
    return row ?? { busy: 0, log: 0, checkpointed: 0 };
  };
  const run = () => {
    try {
      return checkpoint('PASSIVE');
    } catch (error) {
      options.log?.('warn', 'WAL checkpoint failed (retried next time)', { error: String(error) });
      return { busy: 1, log: -1, checkpointed: -1 };
    }
  };
  const timer = setInterval(run, options.intervalMs ?? CHECKPOINT_INTERVAL_MS);
  timer.unref();
  return {
    run,
    stop() {
      clearInterval(timer);
      try {
        checkpoint('TRUNCATE');
      } catch {
        // The writer's close checkpoints too; a busy database here loses nothing.
      }
      db.close();
    },
  };
}
