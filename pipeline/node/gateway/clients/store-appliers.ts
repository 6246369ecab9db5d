/**
 * Write ops of the gateway (client tokens, webhooks), applied by the single writer inside its batch
 * transaction (registered in store-worker.ts `extensionAppliers`). Each op is parsed again here:
 * the store never trusts a shape it did not check.
 */
import { z } from 'zod';
import { ClientNameSchema, ClientScopeSchema, WebhookTemplateSchema } from '../../../core/client-protocol.js';
import type { WriteDb } from '../../store/database.js';
import type { StoreApplier } from '../../store/writer.js';

const ClientCreateOp = z.object({
  op: z.literal('gateway.client.create'),
  id: z.string().min(1).max(100),
  name: ClientNameSchema,
  scopes: z.array(ClientScopeSchema).min(1),
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.number(),
});
const ClientRevokeOp = z.object({
  op: z.literal('gateway.client.revoke'),
  id: z.string().min(1).max(100),
  at: z.number(),
});
const ClientUsedOp = z.object({ op: z.literal('gateway.client.used'), id: z.string().min(1).max(100), at: z.number() });
const WebhookCreateOp = z.object({
  op: z.literal('gateway.webhook.create'),
  name: ClientNameSchema,
  direction: z.enum(['in', 'out']),
  url: z.string().max(2000).nullable(),
  template: WebhookTemplateSchema.nullable(),
  secret: z.string().regex(/^v1:/, 'webhook secrets are stored sealed'),
  at: z.number(),
});
const WebhookDeleteOp = z.object({ op: z.literal('gateway.webhook.delete'), name: ClientNameSchema });

export type GatewayStoreWrite =
  | z.infer<typeof ClientCreateOp>
  | z.infer<typeof ClientRevokeOp>
  | z.infer<typeof ClientUsedOp>
  | z.infer<typeof WebhookCreateOp>
  | z.infer<typeof WebhookDeleteOp>;

export function createGatewayStoreAppliers(): Record<string, StoreApplier> {
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
      const op = ClientCreateOp.parse(raw);
      statement(db, 'INSERT INTO client_tokens (id, name, scopes, token_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
        op.id,
        op.name,
        JSON.stringify(op.scopes),
        op.tokenHash,
        op.at,
      );
    },
    'gateway.client.revoke': (db, raw) => {
      const op = ClientRevokeOp.parse(raw);
      statement(db, 'UPDATE client_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(op.at, op.id);
    },
    'gateway.client.used': (db, raw) => {
      const op = ClientUsedOp.parse(raw);
      statement(db, 'UPDATE client_tokens SET last_used_at = ? WHERE id = ?').run(op.at, op.id);
    },
    'gateway.webhook.create': (db, raw) => {
      const op = WebhookCreateOp.parse(raw);
      statement(
        db,
        'INSERT INTO webhooks (name, direction, url, template, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(op.name, op.direction, op.url, op.template ? JSON.stringify(op.template) : null, op.secret, op.at);
    },
    'gateway.webhook.delete': (db, raw) => {
      const op = WebhookDeleteOp.parse(raw);
      statement(db, 'DELETE FROM webhooks WHERE name = ?').run(op.name);
    },
  };
}
