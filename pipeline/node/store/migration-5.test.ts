/** Migration 5 (giveaways, welcome, shoutouts): the tables, and the rules of an older install. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, type Rule } from '../../core/rules.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersion, seedIfEmpty } from './migrations.js';
import { emptyDbPerTest } from './test-support.js';

const fresh = emptyDbPerTest();

const rulesById = () =>
  Object.fromEntries(
    (fresh.db.prepare('SELECT id, json FROM rules').all() as { id: string; json: string }[]).map((row) => [
      row.id,
      JSON.parse(row.json) as Rule,
    ]),
  );

const NEW_RULES = ['chat-shoutout', 'welcome-first-time', 'welcome-returning'];
/** The default rules as an install before migration 5 had them. */
const OLD_RULES: Rule[] = DEFAULT_RULES.filter((rule) => !NEW_RULES.includes(rule.id)).map((rule) =>
  rule.id === 'chat-commands' ? { ...rule, slip: ['counters', 'commands'] } : rule,
);
const BEFORE_5 = MIGRATIONS.filter((migration) => migration.version < 5);

describe('migration 5: giveaways, welcome and shoutouts', () => {
  it('adds the giveaways step and the new rules (welcome off) to an older install that kept the defaults', () => {
    migrate(fresh.db, BEFORE_5);
    seedIfEmpty(fresh.db, { rules: OLD_RULES, commands: [] });
    migrate(fresh.db);
    expect(schemaVersion(fresh.db)).toBe(LATEST_SCHEMA_VERSION);
    const rules = rulesById();
    expect(rules['chat-commands']!.slip).toEqual(['giveaways', 'counters', 'commands']);
    // Written out by the migration; must be what a fresh install seeds.
    for (const id of NEW_RULES) expect(rules[id]).toEqual(DEFAULT_RULES.find((rule) => rule.id === id));
    expect(rules['welcome-first-time']!.enabled).toBe(false);
    const tables = (
      fresh.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]
    ).map((row) => row.name);
    expect(tables).toEqual(expect.arrayContaining(['giveaways', 'giveaway_entries', 'giveaway_draws']));
  });

  it('leaves a chat-commands rule the streamer changed, and a rule of theirs with a new id, as they are', () => {
    migrate(fresh.db, BEFORE_5);
    const custom = OLD_RULES.map((rule) =>
      rule.id === 'chat-commands' ? { ...rule, slip: ['commands', 'llm-bot'] } : rule,
    );
    const theirs: Rule = { ...DEFAULT_RULES.find((rule) => rule.id === 'chat-quotes')!, id: 'chat-shoutout' };
    seedIfEmpty(fresh.db, { rules: [...custom, theirs], commands: [] });
    migrate(fresh.db);
    expect(rulesById()['chat-commands']!.slip).toEqual(['commands', 'llm-bot']);
    expect(rulesById()['chat-shoutout']!.slip).toEqual(['quotes']);
  });

  it('on a fresh file leaves the rules to the first-start seed', () => {
    migrate(fresh.db);
    expect(rulesById()).toEqual({});
  });

  it('keeps one entry per user per giveaway by its primary key', () => {
    migrate(fresh.db);
    fresh.db
      .prepare(
        "INSERT INTO giveaways (keyword, required_role, status, opened_by, opened_at, event_id) VALUES ('!join', NULL, 'open', 'mod', 1, 'e1')",
      )
      .run();
    const enter = fresh.db.prepare(
      "INSERT INTO giveaway_entries (giveaway_id, platform, user_id, login, display_name, entered_at) VALUES (1, 'twitch', '42', 'ada', 'Ada', ?)",
    );
    enter.run(1);
    expect(() => enter.run(2)).toThrow(/UNIQUE|PRIMARY KEY/);
  });
});
