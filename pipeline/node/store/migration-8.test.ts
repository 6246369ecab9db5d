/** Migration 8 (giveaways' follow requirement): a giveaway stored before it is open to everyone, as it was. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createGiveawayReader } from '../features/giveaway-store.js';
import { openReadConnection, openWriteConnection, type WriteDb } from './database.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersion } from './migrations.js';
import { tempDir } from './test-support.js';

let temp: ReturnType<typeof tempDir>;
let db: WriteDb;
beforeEach(() => {
  temp = tempDir();
  db = openWriteConnection(temp.file);
});
afterEach(() => {
  db.close();
  temp.cleanup();
});

it('adds requires_follow, off for the giveaways already stored', () => {
  migrate(
    db,
    MIGRATIONS.filter((migration) => migration.version < 8),
  );
  db.prepare(
    `INSERT INTO giveaways (keyword, required_role, status, opened_by, opened_at, event_id)
     VALUES ('!join', 'subscriber', 'open', 'mod', 1, 'e1')`,
  ).run();
  expect(migrate(db).to).toBe(LATEST_SCHEMA_VERSION);
  expect(schemaVersion(db)).toBeGreaterThanOrEqual(8);
  const read = openReadConnection(temp.file);
  try {
    expect(createGiveawayReader(read).open()).toMatchObject({
      keyword: '!join',
      requiredRole: 'subscriber',
      requiresFollow: false,
    });
  } finally {
    read.close();
  }
});
