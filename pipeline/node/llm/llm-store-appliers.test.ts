import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PERSONA } from '../../core/llm.js';
import { createLlmStoreAppliers } from './llm-store-appliers.js';
import { openLlmTestDb, type LlmTestDb } from './test-db.js';

let db: LlmTestDb;
afterEach(() => db?.remove());

describe('llm store appliers', () => {
  it('registers one applier per op that parses and applies it', () => {
    db = openLlmTestDb();
    const invalid: string[] = [];
    const appliers = createLlmStoreAppliers({ onInvalid: (op, error) => invalid.push(`${op}: ${error}`) });
    expect(Object.keys(appliers).sort()).toEqual([
      'llmUsage.add',
      'memory.append',
      'memory.clear',
      'persona.delete',
      'persona.upsert',
    ]);
    appliers['persona.upsert'](db.writer, {
      op: 'persona.upsert',
      persona: { ...DEFAULT_PERSONA, id: 'p1', name: 'P' },
      at: 7,
    });
    appliers['persona.upsert'](db.writer, {
      op: 'persona.upsert',
      persona: { ...DEFAULT_PERSONA, id: 'p1', name: 'P2' },
      at: 8,
    });
    expect(
      db.reader.prepare("SELECT id, json_extract(json, '$.name') AS name, updated_at FROM personas").all(),
    ).toEqual([{ id: 'p1', name: 'P2', updated_at: 8 }]);
    const append = {
      op: 'memory.append',
      scope: 'user',
      scopeKey: 'k',
      role: 'user',
      text: 'hi',
      at: 1,
      maxEntries: 5,
      maxChars: 100,
    };
    appliers['memory.append'](db.writer, append);
    expect(db.reader.prepare('SELECT count(*) AS n FROM memory').get()).toEqual({ n: 1 });
    expect(invalid).toEqual([]);
  });

  it('skips and reports an invalid op instead of throwing (the rest of the batch still commits)', () => {
    db = openLlmTestDb();
    const invalid: string[] = [];
    const appliers = createLlmStoreAppliers({ onInvalid: (op, error) => invalid.push(`${op}: ${error}`) });
    expect(() =>
      appliers['memory.append'](db.writer, { op: 'memory.append', scope: 'planet', scopeKey: 'k' }),
    ).not.toThrow();
    expect(() =>
      appliers['persona.upsert'](db.writer, { op: 'persona.upsert', persona: { id: 'x' }, at: 1 }),
    ).not.toThrow();
    expect(invalid).toHaveLength(2);
    expect(invalid[0]).toMatch(/^memory\.append: scope/);
    expect(invalid[1]).toMatch(/^persona\.upsert: persona\.name/);
    expect(
      db.reader.prepare('SELECT (SELECT count(*) FROM memory) + (SELECT count(*) FROM personas) AS n').get(),
    ).toEqual({ n: 0 });
  });
});
