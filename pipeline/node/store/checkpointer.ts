/**
 * WAL checkpoints on a connection and a thread of their own. SQLite's automatic checkpoint runs
 * inside the COMMIT that crosses `wal_autocheckpoint` pages, so one event's commit in a thousand
 * paid for copying the whole WAL into the database; the writer turns that off
 * (`openWriteConnection`) and this runs a PASSIVE checkpoint on a timer instead. PASSIVE never waits
 * for a lock and never blocks the writer or readers; what it cannot copy now it copies next time.
 * Durability is unchanged: a commit is durable once it is in the WAL, checkpointed or not.
 *
 * Why a thread: a checkpoint copies the WAL's pages into the database file — tens of milliseconds
 * of work each second under load — and on the store worker's thread every commit waited behind it
 * (the bench's p99). The thread is a few lines evaluated in place (it needs only better-sqlite3),
 * so no worker bundle carries it.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { LogLevel } from '../../core/rpc.js';

export const CHECKPOINT_INTERVAL_MS = 1000;

export interface CheckpointThread {
  /** Stops the timer, checkpoints what is left (TRUNCATE) and ends the thread. */
  stop(): Promise<void>;
}

const CHECKPOINT_THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file, { fileMustExist: true, timeout: 0 });
const checkpoint = (mode) => db.pragma('wal_checkpoint(' + mode + ')');
const timer = setInterval(() => {
  try { checkpoint('PASSIVE'); } catch (error) { parentPort.postMessage({ warn: String(error) }); }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { checkpoint('TRUNCATE'); } catch {}
  db.close();
  parentPort.postMessage({ stopped: true });
  parentPort.close();
});
`;

export function startCheckpointThread(
  file: string,
  options: {
    intervalMs?: number;
    log?: (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;
  } = {},
): CheckpointThread {
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(CHECKPOINT_THREAD_SOURCE, {
    eval: true,
    workerData: { file, sqlite, intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS },
  });
  worker.unref();
  const stopped = new Promise<void>((resolve) => {
    worker.on('message', (message: { warn?: string; stopped?: boolean }) => {
      if (message.warn) options.log?.('warn', 'WAL checkpoint failed (retried next time)', { error: message.warn });
      if (message.stopped) resolve();
    });
    worker.on('error', (error) => {
      options.log?.('warn', 'the checkpoint thread failed; the writer checkpoints when it closes', {
        error: String(error),
      });
      resolve();
    });
    worker.on('exit', () => resolve());
  });
  return {
    stop: async () => {
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}
