/** Migration 8 (giveaways' follow requirement): a giveaway stored before it is open to everyone, as it was. */
import { expect, it } from 'vitest';
import { createGiveawayReader } from '../features/giveaway-store.js';
import { openReadConnection } from './database.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersion } from './migrations.js';
import { emptyDbPerTest } from './test-support.js';

const fresh = emptyDbPerTest();

it('adds requires_follow, off for the giveaways already stored', () => {
  migrate(
    fresh.db,
    MIGRATIONS.filter((migration) => migration.version < 8),
  );
  fresh.db
    .prepare(
      `INSERT INTO giveaways (keyword, required_role, status, opened_by, opened_at, event_id)
     VALUES ('!join', 'subscriber', 'open', 'mod', 1, 'e1')`,
    )
    .run();
  expect(migrate(fresh.db).to).toBe(LATEST_SCHEMA_VERSION);
  expect(schemaVersion(fresh.db)).toBeGreaterThanOrEqual(8);
  const read = openReadConnection(fresh.file);
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
