/** Migration 6 (overlay alerts, OBS): the alert step, the test-alert and raid-scene rules reach an install seeded before them. */
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

const OLD_TYPES = ['twitch.follow.v1', 'twitch.sub.v1', 'twitch.subgift.v1', 'twitch.cheer.v1', 'twitch.raid.v1'];
/** The default rules as an install before migration 6 had them. */
const oldRules = (thank: Partial<Rule> = {}): Rule[] =>
  DEFAULT_RULES.filter((rule) => rule.id !== 'test-alerts' && rule.id !== 'raid-obs-scene').map((rule) =>
    rule.id === 'thank-supporters'
      ? { ...rule, when: { in: [{ var: 'type' }, OLD_TYPES] }, slip: ['commands'], ...thank }
      : rule,
  );

function migrateOld(rules: Rule[]): void {
  migrate(
    fresh.db,
    MIGRATIONS.filter((migration) => migration.version < 6),
  );
  seedIfEmpty(fresh.db, { rules, commands: [] });
  migrate(fresh.db);
}

describe('migration 6: overlay alerts', () => {
  it('puts the alert step into an untouched thank-supporters rule and adds the test-alert rule', () => {
    migrateOld(oldRules());
    expect(schemaVersion(fresh.db)).toBe(LATEST_SCHEMA_VERSION);
    const rules = rulesById();
    // Written out in the migration: it must be what a fresh install seeds.
    expect(rules['thank-supporters']).toEqual(DEFAULT_RULES.find((rule) => rule.id === 'thank-supporters'));
    expect(rules['test-alerts']).toEqual(DEFAULT_RULES.find((rule) => rule.id === 'test-alerts'));
    expect(rules['raid-obs-scene']).toEqual(DEFAULT_RULES.find((rule) => rule.id === 'raid-obs-scene'));
  });

  it('leaves a thank-supporters slip the streamer changed as it is', () => {
    migrateOld(oldRules({ slip: ['llm-bot'] }));
    expect(rulesById()['thank-supporters']!.slip).toEqual(['llm-bot']);
  });

  it('keeps a changed condition while adding the step', () => {
    const when = { '==': [{ var: 'type' }, 'twitch.raid.v1'] };
    migrateOld(oldRules({ when }));
    expect(rulesById()['thank-supporters']).toMatchObject({ when, slip: ['overlay-alerts', 'commands'] });
  });
});
