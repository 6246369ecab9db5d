/**
 * Per-client tokens: created (named, scoped), listed and revoked by the streamer in the console.
 * Only the sha-256 of a token is stored: a token is 32 random bytes, so a fast hash is as good as
 * a slow one, and a copy of the database cannot be used to connect. The token itself is shown
 * once, when it is created.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { describeIssues } from '../../../core/zod-issues.js';
import {
  ClientTokenCreateSchema,
  ClientTokenRevokeSchema,
  type ClientScope,
  type ClientTokenInfo,
} from '../../../core/client-protocol.js';
import type { ReadDb } from '../../store/database.js';
import type { GatewayStoreWrite } from '../../../core/gateway-store.js';

export const CLIENT_TOKEN_PREFIX = 'bbc_';

export interface ClientIdentity {
  id: string;
  name: string;
  scopes: ClientScope[];
}

export interface ClientAdminDeps {
  db: ReadDb;
  write(batch: GatewayStoreWrite[]): Promise<void>;
  /** Called after a revoke so live sockets of that client are closed at once. */
  onRevoked?(id: string): void;
  now?: () => number;
}

export type AdminResult<T> = { ok: true; value: T } | { ok: false; error: string };

export interface ClientAdmin {
  /** HostApi `clients.create`: the token is in the answer once and never again. */
  create(params: unknown): Promise<AdminResult<{ token: string; client: ClientTokenInfo }>>;
  /** HostApi `clients.list`: every token, revoked ones included (for the audit). */
  list(): Promise<ClientTokenInfo[]>;
  /** HostApi `clients.revoke`. */
  revoke(params: unknown): Promise<{ ok: boolean }>;
  /** The live client a token belongs to, or null (unknown or revoked). */
  authenticate(token: string): ClientIdentity | null;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

interface Row {
  id: string;
  name: string;
  scopes: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

function toInfo(row: Row): ClientTokenInfo {
  return {
    id: row.id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as ClientScope[],
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export function createClientAdmin(deps: ClientAdminDeps): ClientAdmin {
  const now = deps.now ?? Date.now;
  const byHash = deps.db.prepare<[string], Row>(
    'SELECT id, name, scopes, created_at, revoked_at, last_used_at FROM client_tokens WHERE token_hash = ?',
  );
  const all = deps.db.prepare<[], Row>(
    'SELECT id, name, scopes, created_at, revoked_at, last_used_at FROM client_tokens ORDER BY created_at DESC, id',
  );
  const liveByName = deps.db.prepare<[string], { id: string }>(
    'SELECT id FROM client_tokens WHERE name = ? AND revoked_at IS NULL',
  );
  const byId = deps.db.prepare<[string], { revoked_at: number | null }>(
    'SELECT revoked_at FROM client_tokens WHERE id = ?',
  );

  return {
    async create(params) {
      const parsed = ClientTokenCreateSchema.safeParse(params);
      if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) };
      const { name } = parsed.data;
      const scopes = [...new Set(parsed.data.scopes)];
      if (liveByName.get(name)) return { ok: false, error: `name: a client named "${name}" exists; revoke it first` };
      const token = `${CLIENT_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      const id = randomUUID();
      const at = now();
      await deps.write([{ op: 'gateway.client.create', id, name, scopes, tokenHash: hashToken(token), at }]);
      return {
        ok: true,
        value: { token, client: { id, name, scopes, createdAt: at, revokedAt: null, lastUsedAt: null } },
      };
    },
    async list() {
      return all.all().map(toInfo);
    },
    async revoke(params) {
      const parsed = ClientTokenRevokeSchema.safeParse(params);
      if (!parsed.success) return { ok: false };
      const row = byId.get(parsed.data.id);
      if (!row || row.revoked_at !== null) return { ok: false };
      await deps.write([{ op: 'gateway.client.revoke', id: parsed.data.id, at: now() }]);
      deps.onRevoked?.(parsed.data.id);
      return { ok: true };
    },
    authenticate(token) {
      if (!token.startsWith(CLIENT_TOKEN_PREFIX) || token.length > 200) return null;
      const row = byHash.get(hashToken(token));
      if (!row || row.revoked_at !== null) return null;
      return { id: row.id, name: row.name, scopes: JSON.parse(row.scopes) as ClientScope[] };
    },
  };
}
