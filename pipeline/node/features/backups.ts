/**
 * Backups of the SQLite file with SQLite's online backup API (better-sqlite3 `db.backup`, a
 * consistent copy while the app keeps writing), at start and daily, keeping the newest N in
 * `<data folder>/backups`. A restore is never done under a running app: the console schedules it
 * for the next start (`restore-pending.json`), and `bitbrat restore FILE` refuses while the data
 * folder is in use. The file being replaced is kept beside it, so a restore can be undone.
 */
import Database from 'better-sqlite3';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { LATEST_SCHEMA_VERSION } from '../store/migrations.js';
import { createPrivateFile, FILE_MODE } from '../store/data-dir.js';

export const BACKUP_FOLDER = 'backups';
const PENDING_FILE = 'restore-pending.json';
const BACKUP_NAME = /^bitbrat-\d{8}-\d{6}(?:-\d+)?\.db$/;
export const DAY_MS = 86_400_000;

export interface BackupInfo {
  file: string;
  sizeBytes: number;
  createdAt: number;
}

export function backupFolder(dataDir: string): string {
  return join(dataDir, BACKUP_FOLDER);
}

function stamp(at: number): string {
  const date = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
}

/** Newest first. Only files this module wrote (by name) are listed, kept or pruned. */
export function listBackups(dataDir: string): BackupInfo[] {
  const folder = backupFolder(dataDir);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => BACKUP_NAME.test(name))
    .map((name) => {
      const stats = statSync(join(folder, name));
      return { file: name, sizeBytes: stats.size, createdAt: stats.mtimeMs };
    })
    .sort((a, b) => b.createdAt - a.createdAt || b.file.localeCompare(a.file));
}

/** Backups of one folder run one after another: two at once would pick the same name. */
const running = new Map<string, Promise<unknown>>();

/** Copies the live database into the backup folder, then keeps only the newest `keep`. */
export function createBackup(
  db: Pick<Database.Database, 'backup'>,
  dataDir: string,
  options: { keep: number; now?: number },
): Promise<BackupInfo> {
  const folder = backupFolder(dataDir);
  const previous = running.get(folder) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => backupNow(db, dataDir, options));
  running.set(folder, next);
  void next
    .finally(() => {
      if (running.get(folder) === next) running.delete(folder);
    })
    .catch(() => undefined);
  return next;
}

async function backupNow(
  db: Pick<Database.Database, 'backup'>,
  dataDir: string,
  options: { keep: number; now?: number },
): Promise<BackupInfo> {
  const folder = backupFolder(dataDir);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const base = `bitbrat-${stamp(options.now ?? Date.now())}`;
  let name = `${base}.db`;
  for (let n = 2; existsSync(join(folder, name)); n++) name = `${base}-${n}.db`;
  // Created 0600 first: SQLite writes the copy into it and keeps its mode (chat history is private).
  createPrivateFile(join(folder, name));
  await db.backup(join(folder, name));
  const stats = statSync(join(folder, name));
  for (const old of listBackups(dataDir).slice(Math.max(1, options.keep)))
    rmSync(join(folder, old.file), { force: true });
  return { file: name, sizeBytes: stats.size, createdAt: stats.mtimeMs };
}

/** Checks that a file is a BitBrat database this version can open: intact, and not from a newer one. */
export function checkBackupFile(path: string): { ok: true } | { ok: false; error: string } {
  if (!existsSync(path)) return { ok: false, error: `file: ${path} does not exist` };
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') return { ok: false, error: `file: ${basename(path)} is damaged (${String(check)})` };
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > LATEST_SCHEMA_VERSION)
      return {
        ok: false,
        error: `file: written by a newer BitBrat (schema ${version}, this one knows ${LATEST_SCHEMA_VERSION})`,
      };
    if (!db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'events'").get())
      return { ok: false, error: `file: ${basename(path)} is not a BitBrat database` };
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      error: `file: ${basename(path)} cannot be read (${error instanceof Error ? error.message : String(error)})`,
    };
  } finally {
    db?.close();
  }
}

const PendingSchema = z.object({ file: z.string().min(1).max(300), requestedAt: z.number(), by: z.string().max(60) });
export type PendingRestore = z.infer<typeof PendingSchema>;

/** The backup a restore was scheduled for, if any (the console shows it). */
export function pendingRestore(dataDir: string): PendingRestore | null {
  const path = join(dataDir, PENDING_FILE);
  if (!existsSync(path)) return null;
  try {
    const parsed = PendingSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Schedules a restore of one of the listed backups for the next start. */
export function scheduleRestore(
  dataDir: string,
  file: string,
  by: string,
  now = Date.now(),
): { ok: true; value: PendingRestore } | { ok: false; error: string } {
  if (!BACKUP_NAME.test(file)) return { ok: false, error: 'file: not the name of a BitBrat backup' };
  const check = checkBackupFile(join(backupFolder(dataDir), file));
  if (!check.ok) return check;
  const pending = { file, requestedAt: now, by };
  writeFileSync(join(dataDir, PENDING_FILE), JSON.stringify(pending), { mode: 0o600 });
  return { ok: true, value: pending };
}

export function cancelRestore(dataDir: string): boolean {
  const path = join(dataDir, PENDING_FILE);
  if (!existsSync(path)) return false;
  rmSync(path, { force: true });
  return true;
}

/**
 * Replaces the data folder's database with `source`. Only call with the data folder's lock held
 * (nothing has the file open). The replaced file is kept as `bitbrat.db.before-restore-<time>`.
 */
export function restoreDatabase(
  dataDir: string,
  source: string,
  now = Date.now(),
): { ok: true; replacedBy: string; keptAs: string | null } | { ok: false; error: string } {
  const from = resolve(source);
  const check = checkBackupFile(from);
  if (!check.ok) return check;
  const target = join(dataDir, 'bitbrat.db');
  let keptAs: string | null = null;
  if (existsSync(target)) {
    // Fold the write-ahead log into the file first, so the kept copy is complete on its own.
    const current = new Database(target);
    try {
      current.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      current.close();
    }
    keptAs = `bitbrat.db.before-restore-${stamp(now)}`;
    renameSync(target, join(dataDir, keptAs));
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  copyFileSync(from, target);
  if (process.platform !== 'win32') chmodSync(target, FILE_MODE);
  return { ok: true, replacedBy: basename(from), keptAs };
}

/** At start, with the lock held and before the database opens: applies a restore the console scheduled. */
export function applyPendingRestore(dataDir: string, log: (level: 'info' | 'warn', message: string) => void): void {
  const pending = pendingRestore(dataDir);
  if (!existsSync(join(dataDir, PENDING_FILE))) return;
  cancelRestore(dataDir);
  if (!pending) return log('warn', 'ignored an unreadable restore request');
  const result = restoreDatabase(dataDir, join(backupFolder(dataDir), pending.file));
  if (result.ok)
    log(
      'info',
      `restored the database from backup ${pending.file} (requested by ${pending.by}); the previous file is ${result.keptAs ?? 'none'}`,
    );
  else log('warn', `the scheduled restore of ${pending.file} was not done: ${result.error}`);
}
