/**
 * Opening the SQLite file: one writer connection, any number of read-only reader connections.
 *
 * The connection types are branded (as Signal Desktop does in `ts/sql/Interface.std.ts`): code that
 * writes takes a `WriteDb`, and the compiler refuses a `ReadDb` there. A `WriteDb` may still be used
 * where a `ReadDb` is wanted (the writer can read).
 *
 * The writer checks the file before it touches it: a damaged file, a file that is not a database or
 * a file that another program is writing to is reported with a typed error and left exactly as it
 * was, so the streamer's history is never "repaired" away by a start-up.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { CodedError } from '../../core/rpc.js';
import { DIR_MODE, createPrivateFile } from './data-dir.js';

declare const readBrand: unique symbol;
declare const writeBrand: unique symbol;

/** A connection that may only read (opened `readonly`). */
export type ReadDb = Database.Database & { readonly [readBrand]: true };
/** The single writer connection. */
export type WriteDb = ReadDb & { readonly [writeBrand]: true };

/** Base of every error raised while opening the database; `code` survives the RPC boundary. */
export class DatabaseOpenError extends CodedError {
  constructor(
    code: string,
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message);
    this.name = 'DatabaseOpenError';
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

export class DatabaseCorruptError extends DatabaseOpenError {
  constructor(file: string, detail: string, options?: { cause?: unknown }) {
    super(
      'DATABASE_CORRUPT',
      file,
      `The database file ${file} is damaged (${detail}). It was left untouched. ` +
        'Quit BitBrat, then restore the file from a backup or move it elsewhere to start with an empty database.',
      options,
    );
    this.name = 'DatabaseCorruptError';
  }
}

export class DatabaseNotADatabaseError extends DatabaseOpenError {
  constructor(file: string, options?: { cause?: unknown }) {
    super(
      'DATABASE_NOT_A_DATABASE',
      file,
      `The file ${file} is not a SQLite database (or it is encrypted). It was left untouched. ` +
        'Point BitBrat at another data folder, or move this file elsewhere if it is not needed.',
      options,
    );
    this.name = 'DatabaseNotADatabaseError';
  }
}

export class DatabaseLockedError extends DatabaseOpenError {
  constructor(file: string, options?: { cause?: unknown }) {
    super(
      'DATABASE_LOCKED',
      file,
      `The database file ${file} is being written by another program (is BitBrat already running?). ` +
        'Close the other instance, then start again.',
      options,
    );
    this.name = 'DatabaseLockedError';
  }
}

export class DatabaseUnavailableError extends DatabaseOpenError {
  constructor(file: string, detail: string, options?: { cause?: unknown }) {
    super(
      'DATABASE_UNAVAILABLE',
      file,
      `The database file ${file} cannot be opened (${detail}). Check that the file and its folder exist and are readable and writable.`,
      options,
    );
    this.name = 'DatabaseUnavailableError';
  }
}

/** How long the writer waits for another program's write lock at start-up before saying it is locked. */
const LOCK_PROBE_TIMEOUT_MS = 250;
/** Normal busy timeout: readers checkpointing or a backup tool may hold the lock briefly. */
const BUSY_TIMEOUT_MS = 5000;
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Maps a SQLite error at open time onto the typed errors above. */
function classify(file: string, error: unknown): DatabaseOpenError {
  if (error instanceof DatabaseOpenError) return error;
  const code = sqliteCode(error) ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB') return new DatabaseNotADatabaseError(file, { cause: error });
  if (code.startsWith('SQLITE_CORRUPT')) return new DatabaseCorruptError(file, message, { cause: error });
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new DatabaseLockedError(file, { cause: error });
  }
  return new DatabaseUnavailableError(file, message, { cause: error });
}

/**
 * Reads the 16-byte header without SQLite, so a foreign file is refused before SQLite ever opens
 * it read-write. An empty or missing file is a new database.
 */
function checkHeader(file: string): void {
  let handle: number;
  try {
    handle = fs.openSync(file, 'r');
  } catch (error) {
    if (sqliteCode(error) === 'ENOENT') return;
    throw new DatabaseUnavailableError(file, error instanceof Error ? error.message : String(error), { cause: error });
  }
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length);
    let read: number;
    try {
      read = fs.readSync(handle, header, 0, header.length, 0);
    } catch (error) {
      // EISDIR and friends: the path exists but is not a readable file.
      throw new DatabaseUnavailableError(file, error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    }
    if (read === 0) return;
    if (read < header.length || !header.equals(SQLITE_HEADER)) throw new DatabaseNotADatabaseError(file);
  } finally {
    fs.closeSync(handle);
  }
}

/** Runs `PRAGMA quick_check`; anything but a single "ok" means the file is damaged. */
function checkIntegrity(file: string, db: Database.Database): void {
  const rows = db.pragma('quick_check') as { quick_check: string }[];
  const problems = rows.map((row) => row.quick_check).filter((result) => result !== 'ok');
  if (problems.length > 0) {
    const detail = problems.slice(0, 3).join('; ');
    throw new DatabaseCorruptError(file, `quick_check: ${detail}`);
  }
}

/**
 * Takes and releases the write lock. Fails with SQLITE_BUSY when another connection (another
 * BitBrat, a DB browser mid-edit) holds it. Nothing is written: an empty transaction changes no page.
 */
function probeWriteLock(db: Database.Database): void {
  db.exec('BEGIN IMMEDIATE');
  db.exec('ROLLBACK');
}

/**
 * Opens the single writer. Creates the parent folder and the file when missing; checks the file
 * before any statement that could change it.
 */
export function openWriteConnection(file: string): WriteDb {
  const absolute = path.resolve(file);
  try {
    fs.mkdirSync(path.dirname(absolute), { recursive: true, mode: DIR_MODE });
  } catch (error) {
    throw classify(absolute, error);
  }
  checkHeader(absolute);
  try {
    // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database's mode.
    createPrivateFile(absolute);
  } catch (error) {
    throw classify(absolute, error);
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(absolute, { timeout: LOCK_PROBE_TIMEOUT_MS });
    // Order matters: nothing below may write before the checks have passed
    // (journal_mode=WAL rewrites the header).
    checkIntegrity(absolute, db);
    probeWriteLock(db);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // 2 MiB (negative = KiB): SQLite scans the whole page cache at every commit
    // (pcache1TruncateUnsafe), so a 64 MiB cache cost a third of the store thread; the OS page
    // cache keeps the hot index pages anyway.
    db.pragma('cache_size = -2048');
    // Checkpoints run on their own connection, between commits (checkpointer.ts), not inside one.
    db.pragma('wal_autocheckpoint = 0');
    db.pragma('temp_store = MEMORY');
    return db as WriteDb;
  } catch (error) {
    db?.close();
    throw classify(absolute, error);
  }
}

/** Opens a read-only connection to an existing database (the writer must have created it). */
export function openReadConnection(file: string): ReadDb {
  const absolute = path.resolve(file);
  checkHeader(absolute);
  let db: Database.Database | undefined;
  try {
    db = new Database(absolute, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    db.pragma('cache_size = -16384');
    return db as ReadDb;
  } catch (error) {
    db?.close();
    throw classify(absolute, error);
  }
}
