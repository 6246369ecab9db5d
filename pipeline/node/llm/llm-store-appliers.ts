/**
 * Executes the llm-bot's store writes. Called by the store worker (the single SQLite writer) inside
 * its batch transaction, so a memory append and its pruning commit together.
 *
 * Tables (migration 1):
 *   personas(id TEXT PK, json TEXT NOT NULL, updated_at INTEGER)
 *   memory(id INTEGER PK AUTOINCREMENT, scope TEXT, scope_key TEXT, role TEXT, text TEXT, at INTEGER)
 *   llm_usage(id INTEGER PK AUTOINCREMENT, at, day, model, persona, event_id, tokens_in, tokens_out, cost_usd)
 */
import type Database from 'better-sqlite3';
import { describeIssues } from '../../core/envelope.js';
import { LLM_STORE_OPS, LlmStoreWriteSchema, type LlmStoreWrite, type MemoryScope } from '../../core/llm.js';
import { MEMORY_NEWEST_FIRST } from './memory.js';

type Writer = Pick<Database.Database, 'prepare'>;

/** Keeps the newest entries of one scope key within both bounds. */
function pruneMemory(db: Writer, scope: MemoryScope, scopeKey: string, maxEntries: number, maxChars: number): void {
  const rows = db
    .prepare(
      `SELECT id, at, length(text) AS chars FROM memory WHERE scope = ? AND scope_key = ? ${MEMORY_NEWEST_FIRST}`,
    )
    .all(scope, scopeKey) as { id: number; at: number; chars: number }[];
  let chars = 0;
  let keep = 0;
  for (const row of rows) {
    if (keep >= maxEntries || chars + row.chars > maxChars) break;
    chars += row.chars;
    keep++;
  }
  const oldestKept = rows[keep - 1];
  if (keep === rows.length) return;
  if (oldestKept === undefined) {
    db.prepare('DELETE FROM memory WHERE scope = ? AND scope_key = ?').run(scope, scopeKey);
  } else {
    db.prepare('DELETE FROM memory WHERE scope = ? AND scope_key = ? AND (at < ? OR (at = ? AND id < ?))').run(
      scope,
      scopeKey,
      oldestKept.at,
      oldestKept.at,
      oldestKept.id,
    );
  }
}

export function applyLlmWrite(db: Writer, write: LlmStoreWrite): void {
  switch (write.op) {
    case 'memory.append': {
      const maxEntries = Math.max(0, Math.floor(write.maxEntries));
      const maxChars = Math.max(0, Math.floor(write.maxChars));
      const text = write.text.slice(0, maxChars);
      if (maxEntries > 0 && text.length > 0) {
        db.prepare('INSERT INTO memory (scope, scope_key, role, text, at) VALUES (?, ?, ?, ?, ?)').run(
          write.scope,
          write.scopeKey,
          write.role,
          text,
          write.at,
        );
      }
      pruneMemory(db, write.scope, write.scopeKey, maxEntries, maxChars);
      return;
    }
    case 'memory.clear':
      if (write.scope === undefined) db.prepare('DELETE FROM memory').run();
      else if (write.scopeKey === undefined) db.prepare('DELETE FROM memory WHERE scope = ?').run(write.scope);
      else db.prepare('DELETE FROM memory WHERE scope = ? AND scope_key = ?').run(write.scope, write.scopeKey);
      return;
    case 'llmUsage.add': {
      const u = write.usage;
      db.prepare(
        'INSERT INTO llm_usage (at, day, model, persona, event_id, tokens_in, tokens_out, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(u.at, u.day, u.model, u.persona, u.eventId, u.tokensIn, u.tokensOut, u.costUsd);
      return;
    }
    case 'persona.upsert': {
      const persona = write.persona;
      db.prepare(
        'INSERT INTO personas (id, json, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at',
      ).run(persona.id, JSON.stringify(persona), write.at);
      return;
    }
    case 'persona.delete':
      db.prepare('DELETE FROM personas WHERE id = ?').run(write.id);
      return;
  }
}

export type LlmStoreApplier = (db: Writer, op: unknown) => void;

/**
 * The appliers to register with the store writer, one per op name. Ops arrive over a port, so each
 * is parsed first; an invalid op is reported through `onInvalid` and skipped rather than thrown, so
 * it cannot roll back the rest of the batch (events, steps) it travelled with.
 */
export function createLlmStoreAppliers(
  options: { onInvalid?: (op: string, error: string) => void } = {},
): Record<LlmStoreWrite['op'], LlmStoreApplier> {
  const apply: LlmStoreApplier = (db, op) => {
    const parsed = LlmStoreWriteSchema.safeParse(op);
    if (!parsed.success) {
      const name = typeof (op as { op?: unknown } | null)?.op === 'string' ? (op as { op: string }).op : '(no op)';
      options.onInvalid?.(name, describeIssues(parsed.error));
      return;
    }
    applyLlmWrite(db, parsed.data);
  };
  return Object.fromEntries(LLM_STORE_OPS.map((name) => [name, apply])) as Record<LlmStoreWrite['op'], LlmStoreApplier>;
}
