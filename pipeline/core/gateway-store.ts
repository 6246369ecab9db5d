/**
 * The gateway's store writes (client tokens, webhooks), part of `StoreWrite`. The store worker
 * parses each op again with these schemas before applying it (gateway/clients/store-appliers.ts):
 * the store never trusts a shape it did not check.
 */
import { z } from 'zod';
import { ClientNameSchema, ClientScopeSchema, WebhookTemplateSchema } from './client-protocol.js';

export const GatewayStoreWriteSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('gateway.client.create'),
    id: z.string().min(1).max(100),
    name: ClientNameSchema,
    scopes: z.array(ClientScopeSchema).min(1),
    tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
    at: z.number(),
  }),
  z.object({ op: z.literal('gateway.client.revoke'), id: z.string().min(1).max(100), at: z.number() }),
  z.object({ op: z.literal('gateway.client.used'), id: z.string().min(1).max(100), at: z.number() }),
  z.object({
    op: z.literal('gateway.webhook.create'),
    name: ClientNameSchema,
    direction: z.enum(['in', 'out']),
    url: z.string().max(2000).nullable(),
    template: WebhookTemplateSchema.nullable(),
    secret: z.string().regex(/^v1:/, 'webhook secrets are stored sealed'),
    at: z.number(),
  }),
  z.object({ op: z.literal('gateway.webhook.delete'), name: ClientNameSchema }),
]);
export type GatewayStoreWrite = z.infer<typeof GatewayStoreWriteSchema>;

export const GATEWAY_STORE_OPS = [
  'gateway.client.create',
  'gateway.client.revoke',
  'gateway.client.used',
  'gateway.webhook.create',
  'gateway.webhook.delete',
] as const satisfies readonly GatewayStoreWrite['op'][];
