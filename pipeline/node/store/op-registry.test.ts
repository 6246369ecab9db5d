/** The one registry of store ops: exhaustive by type, complete at run time, strict about unknown names. */
import { describe, expect, it } from 'vitest';
import { GIVEAWAY_STORE_OPS } from '../../core/giveaways.js';
import { LLM_STORE_OPS } from '../../core/llm.js';
import { buildOpRegistry, checkBatch, createExtensionParts, STORE_OP_NAMES } from './op-registry.js';
import { createStoreTables } from './store-tables.js';
import { migratedDb, tempDir } from './test-support.js';

describe('the store op registry', () => {
  it('has an applier for every op of the core, LLM, gateway and feature parts', () => {
    const temp = tempDir();
    const db = migratedDb(temp.file);
    try {
      const core = createStoreTables(db, () => undefined).appliers;
      const registry = buildOpRegistry(
        core,
        createExtensionParts(() => undefined),
      );
      expect(Object.keys(registry).sort()).toEqual([...STORE_OP_NAMES].sort());
      expect(new Set(STORE_OP_NAMES).size).toBe(STORE_OP_NAMES.length);
      expect(STORE_OP_NAMES).toEqual(
        expect.arrayContaining([...LLM_STORE_OPS, ...GIVEAWAY_STORE_OPS, 'gateway.client.create']),
      );
      expect(Object.keys(core)).toEqual(expect.arrayContaining(['event.put', 'event.log', 'event.end']));

      const { 'event.log': _left, ...missing } = core;
      const parts = createExtensionParts(() => undefined);
      // @ts-expect-error a registry without the applier of one op does not compile
      const build = () => buildOpRegistry(missing, parts);
      expect(build).toThrow(/"event\.log" has no applier/);
    } finally {
      db.close();
      temp.cleanup();
    }
  });

  it('names the first op it does not know, and accepts a batch of known ops', () => {
    const temp = tempDir();
    const db = migratedDb(temp.file);
    try {
      const registry = buildOpRegistry(
        createStoreTables(db, () => undefined).appliers,
        createExtensionParts(() => undefined),
      );
      expect(checkBatch(registry, [{ op: 'rule.delete', id: 'x' }, { op: 'memory.clear' }])).toBeUndefined();
      const refused = checkBatch(registry, [{ op: 'rule.delete', id: 'x' }, { op: 'toString' }, { op: 'nope' }]);
      expect(refused).toMatchObject({ code: 'UNKNOWN_STORE_OP' });
      // Not fooled by names every object has.
      expect(refused?.message).toMatch(/op 1 "toString" is not a store operation/);
      expect(checkBatch(registry, [null])?.message).toMatch(/not an op: null/);
    } finally {
      db.close();
      temp.cleanup();
    }
  });
});
