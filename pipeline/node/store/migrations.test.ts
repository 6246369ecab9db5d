import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../core/rules.js';
import type { CommandDefinition } from '../../core/protocol/store.js';
import { openWriteConnection, type WriteDb } from './database.js';
import {
  DatabaseTooNewError,
  LATEST_SCHEMA_VERSION,
  MIGRATIONS,
  migrate,
  schemaVersion,
  seedIfEmpty,
  type Migration,
} from './migrations.js';
import { buildEventListQuery } from './reader.js';
import { tempDir } from './test-support.js';

let temp: ReturnType<typeof tempDir>;
let db: WriteDb | undefined;
beforeEach(() => {
  temp = tempDir();
});
afterEach(() => {
  db?.close();
  db = undefined;
  temp.cleanup();
});

const hello: CommandDefinition = {
  id: 'hello',
  enabled: true,
  trigger: { kind: 'exact', text: '!hello' },
  template: 'hi {user}',
  roles: [],
  userCooldownSeconds: 0,
  globalCooldownSeconds: 0,
};

function names(db: WriteDb, type: 'table' | 'index' | 'trigger'): string[] {
  return (db.prepare('SELECT name FROM sqlite_schema WHERE type = ?').all(type) as { name: string }[]).map(
    (r) => r.name,
  );
}

function plan(db: WriteDb, sql: string, params: unknown[]): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
    .map((row) => row.detail)
    .join(' | ');
}

describe('migrations', () => {
  it('brings a fresh file to the latest version with every table and index', () => {
    db = openWriteConnection(temp.file);
    expect(schemaVersion(db)).toBe(0);
    expect(migrate(db)).toEqual({ from: 0, to: LATEST_SCHEMA_VERSION });
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(names(db, 'table')).toEqual(
      expect.arrayContaining([
        'events',
        'events_fts',
        'event_log',
        'approvals',
        'users',
        'rules',
        'commands',
        'settings',
        'deliveries',
        'ingress_rejections',
        'connector_state',
        'personas',
        'memory',
        'llm_usage',
      ]),
    );
    expect(names(db, 'index')).toEqual(
      expect.arrayContaining([
        'events_at_id',
        'events_disposition_at',
        'events_type_at',
        'events_login_at',
        'events_open',
        'event_log_event',
        'approvals_state',
        'approvals_event',
        'users_login',
        'memory_scope',
        'llm_usage_day',
      ]),
    );
    expect(names(db, 'table')).not.toContain('slip_steps');
    // Search is indexed in batches off the pipeline's commits (store/search-index.ts): no insert trigger.
    expect(names(db, 'trigger').sort()).toEqual(['events_fts_delete', 'events_fts_update']);
    const eventColumns = (db.pragma('table_info(events)') as { name: string }[]).map((c) => c.name);
    expect(eventColumns).toEqual(
      expect.arrayContaining([
        'rowid',
        'id',
        'correlation_id',
        'type',
        'channel',
        'connector',
        'login',
        'user_id',
        'at',
        'stage',
        'disposition',
        'reason',
        'text',
        'updated_at',
        'envelope',
      ]),
    );
  });

  it('is idempotent: a second run changes nothing', () => {
    db = openWriteConnection(temp.file);
    migrate(db);
    expect(migrate(db)).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION });
  });

  it('refuses a database written by a newer version and leaves it as it was', () => {
    db = openWriteConnection(temp.file);
    migrate(db);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    expect(() => migrate(db!)).toThrow(DatabaseTooNewError);
    expect(() => migrate(db!)).toThrow(/newer BitBrat.*bitbrat\.db|bitbrat\.db.*newer BitBrat/s);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION + 5);
  });

  it('rolls a failing migration back whole, leaving the previous version', () => {
    db = openWriteConnection(temp.file);
    migrate(db);
    const broken: Migration[] = [
      ...MIGRATIONS,
      {
        version: LATEST_SCHEMA_VERSION + 1,
        name: 'broken',
        up: (target: WriteDb) => {
          target.exec('CREATE TABLE half_done (x)');
          target.exec('THIS IS NOT SQL');
        },
      },
    ];
    expect(() => migrate(db!, broken)).toThrow();
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(names(db, 'table')).not.toContain('half_done');
  });

  it('uses the indexes for the console listing', () => {
    db = openWriteConnection(temp.file);
    migrate(db);
    db.exec('ANALYZE');
    const cases: [Parameters<typeof buildEventListQuery>[0], string][] = [
      [{}, 'events_at_id'],
      [{ before: { at: 5, id: 'x' } }, 'events_at_id'],
      [{ type: 'chat.message.v1' }, 'events_type_at'],
      [{ disposition: 'replied' }, 'events_disposition_at'],
      [{ disposition: 'open' }, 'events_open'],
      // An open stage is read from the log (the few open rows, each its newest log row by index).
      [{ stage: 'reaction' }, 'events_open'],
      [{ user: 'Viewer1' }, 'events_login_at'],
      [{ user: 'viewer1', before: { at: 5, id: 'x' } }, 'events_login_at'],
    ];
    for (const [query, index] of cases) {
      const built = buildEventListQuery(query);
      const detail = plan(db, built.sql, [...built.params, built.limit]);
      expect(detail, JSON.stringify(query)).toContain(index);
      expect(detail, JSON.stringify(query)).not.toContain('TEMP B-TREE');
    }
    const text = buildEventListQuery({ text: 'hello' });
    expect(plan(db, text.sql, [...text.params, text.limit])).toContain('events_fts');
    const steps = plan(db, 'SELECT seq, transitions, delta FROM event_log WHERE event_rowid = ? ORDER BY seq', [1]);
    expect(steps).toContain('event_log_event');
    expect(steps).not.toContain('TEMP B-TREE');
    const deltas = plan(
      db,
      'SELECT seq, delta FROM event_log WHERE event_rowid = ? AND seq > ? AND delta IS NOT NULL ORDER BY seq',
      [1, 0],
    );
    expect(deltas).toContain('event_log_event');
    expect(deltas).not.toContain('TEMP B-TREE');
    expect(
      plan(
        db,
        "SELECT rowid, envelope, updated_at, stage, log_seq FROM events WHERE stage <> 'terminal' ORDER BY at, id",
        [],
      ),
    ).toContain('events_open');
  });

  it('seeds defaults on first start only', () => {
    db = openWriteConnection(temp.file);
    migrate(db);
    expect(seedIfEmpty(db, { rules: DEFAULT_RULES, commands: [hello] })).toEqual({
      rules: DEFAULT_RULES.length,
      commands: 1,
    });
    // The streamer deletes every default: a restart must not bring them back.
    db.exec('DELETE FROM rules; DELETE FROM commands');
    expect(seedIfEmpty(db, { rules: DEFAULT_RULES, commands: [hello] })).toEqual({ rules: 0, commands: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM rules').get()).toEqual({ n: 0 });
  });
});

describe('migration 3: safety findings and overrides on approvals', () => {
  it('adds hold and override to an existing approvals table, keeping its rows', () => {
    db = openWriteConnection(temp.file);
    migrate(
      db,
      MIGRATIONS.filter((migration) => migration.version < 3),
    );
    db.prepare(
      `INSERT INTO approvals (id, event_id, candidate_id, state, policy, reason, held_at, original_text)
       VALUES ('a1', 'e1', 'c1', 'held', '{"mode":"require"}', 'rule', 1, 'hi')`,
    ).run();
    migrate(db);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare('SELECT id, hold, override FROM approvals').all()).toEqual([
      { id: 'a1', hold: null, override: 0 },
    ]);
    expect(names(db, 'index')).toContain('approvals_override');
  });
});
