/**
 * Test helper (imported by this folder's *.test.ts only): a temp-file SQLite database with the llm
 * tables exactly as migration 1 creates them, a writer connection that applies `LlmStoreWrite` ops
 * the way the store worker does, and a separate read-only connection like the reaction worker's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { LlmStoreWrite } from '../../core/llm.js';
import { applyLlmWrite } from './llm-store-appliers.js';

export const LLM_TABLES_SQL = `
  CREATE TABLE IF NOT EXISTS personas (id TEXT PRIMARY KEY, json TEXT NOT NULL, updated_at INTEGER);
  CREATE TABLE IF NOT EXISTS memory (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT CHECK (scope IN ('user', 'channel')),
    scope_key TEXT, role TEXT, text TEXT, at INTEGER);
  CREATE INDEX IF NOT EXISTS memory_scope ON memory (scope, scope_key, id);
  CREATE TABLE IF NOT EXISTS llm_usage (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER, day TEXT, model TEXT, persona TEXT, event_id TEXT,
    tokens_in INTEGER, tokens_out INTEGER, cost_usd REAL);
  CREATE INDEX IF NOT EXISTS llm_usage_day ON llm_usage (day);
`;

export interface LlmTestDb {
  file: string;
  writer: Database.Database;
  reader: Database.Database;
  /** Applies one op in a transaction, as the store worker would. */
  write(op: LlmStoreWrite): void;
  writes: LlmStoreWrite[];
  /** Closes both connections (the file stays, to reopen it). */
  close(): void;
  /** Closes and opens the same file again: a restart. */
  reopen(): LlmTestDb;
  remove(): void;
}

export function openLlmTestDb(file?: string): LlmTestDb {
  const target = file ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bitbrat-llm-')), 'bitbrat.db');
  const writer = new Database(target);
  writer.pragma('journal_mode = WAL');
  writer.exec(LLM_TABLES_SQL);
  const reader = new Database(target, { readonly: true });
  const writes: LlmStoreWrite[] = [];
  const db: LlmTestDb = {
    file: target,
    writer,
    reader,
    writes,
    write(op) {
      writes.push(op);
      writer.transaction(() => applyLlmWrite(writer, op))();
    },
    close() {
      reader.close();
      writer.close();
    },
    reopen() {
      db.close();
      return openLlmTestDb(target);
    },
    remove() {
      if (writer.open) db.close();
      fs.rmSync(path.dirname(target), { recursive: true, force: true });
    },
  };
  return db;
}
