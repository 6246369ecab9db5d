/**
 * Every file in a data folder, sub-folders included (backups/, sounds/...), for tests that scan it
 * for secrets in clear: a secret must not be in the database, the WAL, a backup or any other file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export function dataFolderFiles(dataDir: string): { file: string; bytes: Buffer }[] {
  return readdirSync(dataDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { file: relative(dataDir, path), bytes: readFileSync(path) };
    });
}
