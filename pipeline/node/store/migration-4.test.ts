/** Migration 5 (counters, quotes, timers): the tables, the seeded counter, and the rules of an older install. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, type Rule } from '../../core/rules.js';
import { MIGRATIONS, migrate, schemaVersion, seedIfEmpty } from './migrations.js';
import { emptyDbPerTest } from './test-support.js';

const fresh = emptyDbPerTest();

const rulesById = () =>
  Object.fromEntries(
    (fresh.db.prepare('SELECT id, json FROM rules').all() as { id: string; json: string }[]).map((row) => [
      row.id,
      JSON.parse(row.json) as Rule,
    ]),
  );

/** The default rules as an install before migration 4 had them. */
const NEW_RULES = ['chat-quotes', 'timer-messages', 'timers-skip-enrichment'];
/** Rules added later (migration 5). */
const LATER_RULES = ['chat-shoutout', 'welcome-first-time', 'welcome-returning'];
/** Migrations up to this one: later ones change the same rules again (see migration-6.test.ts). */
const UP_TO_4 = MIGRATIONS.filter((migration) => migration.version <= 4);
const OLD_RULES: Rule[] = DEFAULT_RULES.filter(
  (rule) => !NEW_RULES.includes(rule.id) && !LATER_RULES.includes(rule.id),
).map((rule) => (rule.id === 'chat-commands' ? { ...rule, slip: ['commands'] } : rule));

describe('migration 4: counters, quotes and timers', () => {
  it('adds the counters and quotes steps to an older install that kept the default rules', () => {
    migrate(
      fresh.db,
      MIGRATIONS.filter((migration) => migration.version < 4),
    );
    seedIfEmpty(fresh.db, { rules: OLD_RULES, commands: [] });
    migrate(fresh.db, UP_TO_4);
    expect(schemaVersion(fresh.db)).toBe(4);
    const rules = rulesById();
    expect(rules['chat-commands']!.slip).toEqual(['counters', 'commands']);
    expect(rules['chat-quotes']).toMatchObject({ stage: 'reaction', slip: ['quotes'], priority: 110 });
    // The migration writes the rules out; they must be what a fresh install seeds.
    for (const id of NEW_RULES) expect(rules[id]).toEqual(DEFAULT_RULES.find((rule) => rule.id === id));
    expect(
      JSON.parse((fresh.db.prepare("SELECT json FROM counters WHERE name = 'deaths'").get() as { json: string }).json),
    ).toMatchObject({
      command: '!deaths',
      editRoles: ['moderator'],
    });
    const tables = (
      fresh.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]
    ).map((row) => row.name);
    expect(tables).toEqual(
      expect.arrayContaining(['counters', 'counter_values', 'counter_changes', 'quotes', 'timers', 'timer_state']),
    );
  });

  it('leaves a chat-commands rule the streamer changed as it is', () => {
    migrate(
      fresh.db,
      MIGRATIONS.filter((migration) => migration.version < 4),
    );
    const custom = OLD_RULES.map((rule) =>
      rule.id === 'chat-commands' ? { ...rule, slip: ['commands', 'llm-bot'] } : rule,
    );
    seedIfEmpty(fresh.db, { rules: custom, commands: [] });
    migrate(fresh.db, UP_TO_4);
    expect(rulesById()['chat-commands']!.slip).toEqual(['commands', 'llm-bot']);
  });

  it('on a fresh file leaves the rules to the first-start seed (which includes the new ones once)', () => {
    migrate(fresh.db);
    expect(rulesById()).toEqual({});
    seedIfEmpty(fresh.db, { rules: DEFAULT_RULES, commands: [] });
    const rules = rulesById();
    expect(rules['chat-commands']!.slip).toEqual(DEFAULT_RULES.find((rule) => rule.id === 'chat-commands')!.slip);
    expect(rules['chat-quotes']!.slip).toEqual(['quotes']);
  });

  it('finds a quote by its chat event and a counter change by (event, counter) through their keys', () => {
    migrate(fresh.db);
    const plan = (sql: string) =>
      (fresh.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x', 'y') as { detail: string }[])
        .map((row) => row.detail)
        .join(' | ');
    expect(plan('SELECT value_after FROM counter_changes WHERE event_id = ? AND name = ?')).toMatch(
      /USING PRIMARY KEY/,
    );
    expect(plan('SELECT id FROM quotes WHERE event_id = ? OR event_id = ?')).toMatch(/sqlite_autoindex_quotes/);
  });
});
