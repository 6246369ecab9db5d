/**
 * Webhooks configured by the streamer: inbound endpoints (`POST /hooks/<name>`, mapped to events by
 * a template) and outbound targets (a URL every delivered reply is POSTed to). Each has its own
 * secret, generated here, shown once at creation, and stored sealed (see secret-box.ts).
 */
import { randomBytes } from 'node:crypto';
import { describeIssues } from '../../../core/zod-issues.js';
import {
  WebhookCreateSchema,
  WebhookDeleteSchema,
  WebhookTemplateSchema,
  type WebhookInfo,
  type WebhookTemplate,
} from '../../../core/client-protocol.js';
import type { ReadDb } from '../../store/database.js';
import type { AdminResult } from '../clients/client-tokens.js';
import type { GatewayStoreWrite } from '../../../core/gateway-store.js';
import type { SecretBox } from './secret-box.js';

interface Row {
  name: string;
  direction: 'in' | 'out';
  url: string | null;
  template: string | null;
  secret: string;
  created_at: number;
}

export interface InboundWebhook {
  name: string;
  template: WebhookTemplate;
  secret: string;
}

export interface OutboundWebhook {
  name: string;
  url: string;
  secret: string;
}

function toInfo(row: Row): WebhookInfo {
  return {
    name: row.name,
    direction: row.direction,
    url: row.url,
    template: row.template ? WebhookTemplateSchema.parse(JSON.parse(row.template)) : null,
    createdAt: row.created_at,
  };
}

/** The redactor's name for a webhook's secret (the host and the egress worker register it alike). */
export const webhookSecretName = (name: string): string => `webhook ${name} secret`;

/** Reads webhooks (with their secrets opened) on a read-only connection. */
export function createWebhookReader(db: ReadDb, box: SecretBox) {
  const one = db.prepare<[string], Row>('SELECT * FROM webhooks WHERE name = ?');
  const outbound = db.prepare<[], Row>("SELECT * FROM webhooks WHERE direction = 'out' ORDER BY name");
  const all = db.prepare<[], Row>('SELECT * FROM webhooks ORDER BY name');
  return {
    inbound(name: string): InboundWebhook | null {
      const row = one.get(name);
      if (!row || row.direction !== 'in' || !row.template) return null;
      return { name, template: WebhookTemplateSchema.parse(JSON.parse(row.template)), secret: box.open(row.secret) };
    },
    outbound(): OutboundWebhook[] {
      return outbound.all().map((row) => ({ name: row.name, url: row.url ?? '', secret: box.open(row.secret) }));
    },
    list(): WebhookInfo[] {
      return all.all().map(toInfo);
    },
    /** Every webhook's secret, opened: for the host's redactor, which must know each one. */
    secrets(): { name: string; secret: string }[] {
      return all.all().map((row) => ({ name: row.name, secret: box.open(row.secret) }));
    },
    exists(name: string): boolean {
      return one.get(name) !== undefined;
    },
  };
}
export type WebhookReader = ReturnType<typeof createWebhookReader>;

export interface WebhookAdmin {
  /** HostApi `webhooks.create`: the secret is in the answer once and never again. */
  create(params: unknown): Promise<AdminResult<{ secret: string; webhook: WebhookInfo }>>;
  /** HostApi `webhooks.list` (no secrets). */
  list(): Promise<WebhookInfo[]>;
  /** HostApi `webhooks.delete`. */
  delete(params: unknown): Promise<{ ok: boolean }>;
}

export function createWebhookAdmin(deps: {
  reader: WebhookReader;
  box: SecretBox;
  write(batch: GatewayStoreWrite[]): Promise<void>;
  now?: () => number;
}): WebhookAdmin {
  const now = deps.now ?? Date.now;
  return {
    async create(params) {
      const parsed = WebhookCreateSchema.safeParse(params);
      if (!parsed.success) {
        return {
          ok: false,
          error: describeIssues(parsed.error),
        };
      }
      const input = parsed.data;
      if (deps.reader.exists(input.name)) return { ok: false, error: `name: a webhook named "${input.name}" exists` };
      const secret = `whsec_${randomBytes(32).toString('base64url')}`;
      const at = now();
      const url = input.direction === 'out' ? input.url : null;
      const template = input.direction === 'in' ? input.template : null;
      await deps.write([
        {
          op: 'gateway.webhook.create',
          name: input.name,
          direction: input.direction,
          url,
          template,
          secret: deps.box.seal(secret),
          at,
        },
      ]);
      return {
        ok: true,
        value: { secret, webhook: { name: input.name, direction: input.direction, url, template, createdAt: at } },
      };
    },
    async list() {
      return deps.reader.list();
    },
    async delete(params) {
      const parsed = WebhookDeleteSchema.safeParse(params);
      if (!parsed.success || !deps.reader.exists(parsed.data.name)) return { ok: false };
      await deps.write([{ op: 'gateway.webhook.delete', name: parsed.data.name }]);
      return { ok: true };
    },
  };
}
