/**
 * The data folder's guard rails: one app per folder, and nobody else on the machine reads it.
 *
 * The lock is an operating-system lock, not a PID in a file: a PID file outlives a crash, and after
 * a reboot its number often belongs to another live process, so "is that PID alive?" blocks the
 * next start for no reason. `bitbrat.lock` is a tiny SQLite file the host holds an exclusive lock
 * on (SQLite's own fcntl / LockFileEx locks, through better-sqlite3, which the app ships anyway);
 * the OS drops it the moment the process dies, so a restart one second after SIGKILL starts.
 * Who holds it (pid, start time, executable) is written beside it for the message only.
 *
 * Modes: chat history and token hashes are private to the streamer's account, so the folder is
 * 0700 and every file in it 0600, also for folders created by an older version (fixed at start).
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../../core/rpc.js';

export const LOCK_FILE = 'bitbrat.lock';
/** Who holds the lock, for the message a second start shows (never trusted for the decision). */
export const LOCK_OWNER_FILE = 'bitbrat.lock.owner';
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

export interface LockOwner {
  pid: number;
  startedAt: string;
  executable: string;
}

export interface DataDirLock {
  release(): void;
}

const isWindows = process.platform === 'win32';

/** Creates the folder 0700 and tightens what is already in it: folders 0700, files 0600. */
export function secureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  // Windows has no POSIX modes (chmod only toggles read-only); the profile folder's ACL protects it.
  if (isWindows) return;
  const visit = (folder: string) => {
    chmodSync(folder, DIR_MODE);
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile()) chmodSync(path, FILE_MODE);
    }
  };
  visit(dir);
}

/** Creates `file` empty with mode 0600 when missing (SQLite gives its -wal and -shm files the database's mode). */
export function createPrivateFile(file: string): void {
  closeSync(openSync(file, 'a', FILE_MODE));
  if (!isWindows) chmodSync(file, FILE_MODE);
}

function readOwner(dir: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(join(dir, LOCK_OWNER_FILE), 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

function inUseError(dir: string): CodedError {
  const owner = readOwner(dir);
  const who = owner ? `process ${owner.pid}, ${owner.executable}, started ${owner.startedAt}` : 'another process';
  return new CodedError(
    'DATA_DIR_IN_USE',
    `another BitBrat (${who}) is using ${dir}; close it first, or use another --data-dir. ` +
      `The lock is held by the operating system and ends with that process: if no BitBrat is running, ` +
      `find the program holding ${join(dir, LOCK_FILE)} open (e.g. \`lsof ${join(dir, LOCK_FILE)}\`) and close it.`,
  );
}

const BUSY = /SQLITE_BUSY|SQLITE_LOCKED|database is locked/;

/** Takes the folder's lock or throws DATA_DIR_IN_USE naming the holder and what to do. */
export function takeDataDirLock(dir: string): DataDirLock {
  const file = join(dir, LOCK_FILE);
  let db: Database.Database;
  try {
    createPrivateFile(file);
    db = openLockDb(file);
  } catch (error) {
    if (BUSY.test(String((error as { code?: unknown }).code ?? '')) || BUSY.test(String(error))) throw inUseError(dir);
    if ((error as { code?: unknown }).code !== 'SQLITE_NOTADB') throw error;
    // The PID file of an older version: it holds no OS lock, so it proves nothing; replace it.
    rmSync(file, { force: true });
    createPrivateFile(file);
    try {
      db = openLockDb(file);
    } catch (retry) {
      if (BUSY.test(String(retry))) throw inUseError(dir);
      throw retry;
    }
  }
  const owner: LockOwner = {
    pid: process.pid,
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    executable: process.execPath,
  };
  writeFileSync(join(dir, LOCK_OWNER_FILE), JSON.stringify(owner), { mode: FILE_MODE });
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      rmSync(join(dir, LOCK_OWNER_FILE), { force: true });
      db.close();
    },
  };
}

/**
 * Opens the lock database and takes its exclusive lock for the life of the connection:
 * `locking_mode = EXCLUSIVE` keeps the lock a write took until the connection closes.
 */
function openLockDb(file: string): Database.Database {
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // No journal file beside the lock: the table holds nothing worth a rollback.
    db.pragma('journal_mode = MEMORY');
    db.exec('CREATE TABLE IF NOT EXISTS held (at INTEGER)');
    db.prepare('INSERT INTO held (at) VALUES (?)').run(Date.now());
    db.exec('DELETE FROM held');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
