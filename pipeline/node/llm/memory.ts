/**
 * Conversation memory for the llm-bot, per user and per channel, in SQLite so it survives a restart.
 *
 * Reads go through a read-only connection; writes are `LlmStoreWrite` ops handed to the store
 * worker (the single SQLite writer), which prunes each scope to its bounds (entries and characters)
 * in the same transaction (see `applyLlmWrite`). Because writes are batched, a line remembered now
 * is readable a few milliseconds later, which is soon enough for the next chat message.
 */
import type Database from 'better-sqlite3';
import type { LlmStoreWrite, MemoryEntry, MemoryRole, MemoryScope } from '../../core/llm.js';

/**
 * Memory is in the order things were said (`at`), not the order rows reached the store: the user's
 * line comes from the reaction worker and the bot's from the router, each written behind on its
 * own schedule, so the bot's line may be committed first.
 */
export const MEMORY_NEWEST_FIRST = 'ORDER BY at DESC, id DESC';

export interface MemoryBounds {
  maxEntries: number;
  maxChars: number;
}

export interface LlmMemory {
  /** The newest entries of one scope key, oldest first, within the bounds. */
  recall(scope: MemoryScope, scopeKey: string): MemoryEntry[];
  remember(scope: MemoryScope, scopeKey: string, role: MemoryRole, text: string, at: number): void;
  /** For the console: newest first, optionally filtered. */
  view(filter?: { scope?: MemoryScope; scopeKey?: string; limit?: number }): MemoryEntry[];
  /** Without arguments: all memory. */
  clear(scope?: MemoryScope, scopeKey?: string): void;
}

export interface LlmMemoryDeps {
  /** A read-only connection (the store worker owns writes). */
  db: Pick<Database.Database, 'prepare'>;
  write(op: LlmStoreWrite): void;
  bounds(): MemoryBounds;
}

interface MemoryRow {
  id: number;
  scope: MemoryScope;
  scope_key: string;
  role: MemoryRole;
  text: string;
  at: number;
}

function toEntry(row: MemoryRow): MemoryEntry {
  return { id: row.id, scope: row.scope, scopeKey: row.scope_key, role: row.role, text: row.text, at: row.at };
}

/** Memory keys: a user across channels is the same person; a channel is named per connector. */
export function userMemoryKey(platform: string, externalId: string): string {
  return `${platform}:${externalId}`;
}
export function channelMemoryKey(connector: string, channel: string): string {
  return `${connector}:${channel.replace(/^#/, '').toLowerCase()}`;
}

export function createLlmMemory(deps: LlmMemoryDeps): LlmMemory {
  return {
    recall(scope, scopeKey) {
      const { maxEntries, maxChars } = deps.bounds();
      if (maxEntries <= 0 || maxChars <= 0) return [];
      const rows = deps.db
        .prepare(
          `SELECT id, scope, scope_key, role, text, at FROM memory WHERE scope = ? AND scope_key = ? ${MEMORY_NEWEST_FIRST} LIMIT ?`,
        )
        .all(scope, scopeKey, maxEntries) as MemoryRow[];
      // Bounds are enforced on read too: settings may have shrunk since the rows were written.
      const kept: MemoryEntry[] = [];
      let chars = 0;
      for (const row of rows) {
        if (chars + row.text.length > maxChars) break;
        chars += row.text.length;
        kept.push(toEntry(row));
      }
      return kept.reverse();
    },
    remember(scope, scopeKey, role, text, at) {
      const { maxEntries, maxChars } = deps.bounds();
      if (text.trim().length === 0) return;
      deps.write({ op: 'memory.append', scope, scopeKey, role, text, at, maxEntries, maxChars });
    },
    view(filter = {}) {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (filter.scope) {
        where.push('scope = ?');
        params.push(filter.scope);
      }
      if (filter.scopeKey) {
        where.push('scope_key = ?');
        params.push(filter.scopeKey);
      }
      const limit = Math.min(Math.max(1, filter.limit ?? 100), 1000);
      const sql = `SELECT id, scope, scope_key, role, text, at FROM memory ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${MEMORY_NEWEST_FIRST} LIMIT ?`;
      return (deps.db.prepare(sql).all(...params, limit) as MemoryRow[]).map(toEntry);
    },
    clear(scope, scopeKey) {
      deps.write({
        op: 'memory.clear',
        ...(scope ? { scope } : {}),
        ...(scope && scopeKey ? { scopeKey } : {}),
      });
    },
  };
}
