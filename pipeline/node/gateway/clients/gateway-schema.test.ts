/** Migration 2 (gateway clients and webhooks) on a real SQLite file, and its write ops. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openWriteConnection, type WriteDb } from '../../store/database.js';
import { migrate } from '../../store/migrations.js';
import { createStoreWriter } from '../../store/writer.js';
import { createGatewayStoreAppliers } from './store-appliers.js';

let dir: string;
let db: WriteDb | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('gateway schema', () => {
  it('migration 2 adds client tokens and webhooks; one live token per name', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bitbrat-gwschema-'));
    db = openWriteConnection(join(dir, 'test.db'));
    expect(migrate(db).to).toBeGreaterThanOrEqual(2);
    const writer = createStoreWriter(db, { parts: { gateway: createGatewayStoreAppliers() }, log: () => undefined });
    const create = (id: string) => ({
      op: 'gateway.client.create' as const,
      id,
      name: 'deck',
      scopes: ['send' as const],
      tokenHash: id.repeat(64).slice(0, 64),
      at: 1,
    });
    await writer.write([create('a')]);
    await expect(writer.write([create('b')])).rejects.toThrow(/UNIQUE/);
    await writer.write([{ op: 'gateway.client.revoke', id: 'a', at: 2 }]);
    await writer.write([create('b')]);
    const rows = db.prepare('SELECT id, revoked_at FROM client_tokens ORDER BY id').all();
    expect(rows).toEqual([
      { id: 'a', revoked_at: 2 },
      { id: 'b', revoked_at: null },
    ]);
    // A webhook secret that is not sealed is refused by the applier.
    await expect(
      writer.write([
        {
          op: 'gateway.webhook.create',
          name: 'x',
          direction: 'out',
          url: 'http://127.0.0.1/',
          template: null,
          secret: 'plain',
          at: 1,
        },
      ]),
    ).rejects.toThrow(/sealed/);
    await writer.close();
    db = undefined;
  });
});
