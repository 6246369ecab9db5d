/**
 * Write ops of the gateway (client tokens, webhooks), applied by the single writer inside its batch
 * transaction (registered in store/op-registry.ts). Each op is parsed again here:
 * the store never trusts a shape it did not check.
 */
import { GatewayStoreWriteSchema, type GatewayStoreWrite } from '../../../core/gateway-store.js';
import type { WriteDb } from '../../store/database.js';

type GatewayApplier = (db: WriteDb, raw: unknown) => void;
type Op<K extends GatewayStoreWrite['op']> = Extract<GatewayStoreWrite, { op: K }>;

/** Parses `raw` as the op `name` (throws a ZodError naming the field: the caller's write fails). */
function parseOp<K extends GatewayStoreWrite['op']>(name: K, raw: unknown): Op<K> {
  const op = GatewayStoreWriteSchema.parse(raw);
  if (op.op !== name) throw new Error(`expected op "${name}", got "${op.op}"`);
  return op as Op<K>;
}

export function createGatewayStoreAppliers(): Record<GatewayStoreWrite['op'], GatewayApplier> {
  // Statements are prepared on first use per connection (the store worker has one).
  type Run = { run(...params: unknown[]): unknown };
  const cache = new WeakMap<WriteDb, Map<string, Run>>();
  const statement = (db: WriteDb, sql: string) => {
    let map = cache.get(db);
    if (!map) cache.set(db, (map = new Map()));
    let prepared = map.get(sql);
    if (!prepared) map.set(sql, (prepared = db.prepare<unknown[]>(sql) as Run));
    return prepared;
  };
  return {
    'gateway.client.create': (db, raw) => {
      const op = parseOp('gateway.client.create', raw);
      statement(db, 'INSERT INTO client_tokens (id, name, scopes, token_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
        op.id,
        op.name,
        JSON.stringify(op.scopes),
        op.tokenHash,
        op.at,
      );
    },
    'gateway.client.revoke': (db, raw) => {
      const op = parseOp('gateway.client.revoke', raw);
      statement(db, 'UPDATE client_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(op.at, op.id);
    },
    'gateway.client.used': (db, raw) => {
      const op = parseOp('gateway.client.used', raw);
      statement(db, 'UPDATE client_tokens SET last_used_at = ? WHERE id = ?').run(op.at, op.id);
    },
    'gateway.webhook.create': (db, raw) => {
      const op = parseOp('gateway.webhook.create', raw);
      statement(
        db,
        'INSERT INTO webhooks (name, direction, url, template, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(op.name, op.direction, op.url, op.template ? JSON.stringify(op.template) : null, op.secret, op.at);
    },
    'gateway.webhook.delete': (db, raw) => {
      const op = parseOp('gateway.webhook.delete', raw);
      statement(db, 'DELETE FROM webhooks WHERE name = ?').run(op.name);
    },
  };
}
