/**
 * The console token: the one secret a browser console needs. Kept in a 0600 file in the data
 * folder (never in SQLite, never logged), so a moderator's bookmarked console URL survives a
 * restart; delete the file to revoke every console at once.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function loadOrCreateConsoleToken(dataDir: string): string {
  const file = join(dataDir, 'console-token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(token)) {
      chmodSync(file, 0o600);
      return token;
    }
  }
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}
