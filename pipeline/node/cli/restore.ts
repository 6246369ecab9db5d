/**
 * `bitbrat restore FILE`: replaces the data folder's database with a backup, while BitBrat is not
 * running (the data folder's lock is taken first, so a running app makes it refuse). The file it
 * replaces is kept beside it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { restoreDatabase } from '../features/backups.js';
import { takeDataDirLock, type DataDirLock } from '../store/data-dir.js';

export function restoreFromFile(
  dataDir: string,
  file: string,
): { ok: true; message: string } | { ok: false; error: string } {
  if (!existsSync(file)) return { ok: false, error: `${file} does not exist` };
  mkdirSync(dataDir, { recursive: true });
  let lock: DataDirLock;
  try {
    lock = takeDataDirLock(dataDir);
  } catch (error) {
    return { ok: false, error: `refused: ${error instanceof Error ? error.message : String(error)}` };
  }
  try {
    const result = restoreDatabase(dataDir, file);
    if (!result.ok) return result;
    return {
      ok: true,
      message: `restored ${result.replacedBy} into ${dataDir}${result.keptAs ? `; the previous database is ${result.keptAs}` : ''}`,
    };
  } finally {
    lock.release();
  }
}
