/**
 * Applies the counters', quotes' and timers' store writes inside the store worker's batch transaction
 * (tables: migration 4). Ops arrive over a port, so each is parsed first; an invalid one is
 * reported and skipped, so it cannot roll back the events and steps it travelled with.
 */
import type Database from 'better-sqlite3';
import {
  COUNTER_STORE_OPS,
  CounterStoreWriteSchema,
  applyCounterChange,
  type CounterStoreWrite,
} from '../../core/counters.js';
import { describeIssues } from '../../core/envelope.js';
import { QUOTE_STORE_OPS, QuoteStoreWriteSchema, type QuoteStoreWrite } from '../../core/quotes.js';
import { GIVEAWAY_STORE_OPS, GiveawayStoreWriteSchema } from '../../core/giveaways.js';
import type { FeatureStoreWrite } from '../../core/protocol/store.js';
import { applyGiveawayWrite } from './giveaway-store.js';
import { TIMER_STORE_OPS, TimerStoreWriteSchema, type TimerStoreWrite } from '../../core/timers.js';

type Writer = Pick<Database.Database, 'prepare'>;
export type FeatureStoreApplier = (db: Writer, op: unknown) => void;

function currentValue(db: Writer, name: string, scopeKey: string): number {
  const row = db.prepare('SELECT value FROM counter_values WHERE name = ? AND scope_key = ?').get(name, scopeKey) as
    { value: number } | undefined;
  return row?.value ?? 0;
}

function setValue(db: Writer, name: string, scopeKey: string, value: number, at: number): void {
  db.prepare(
    `INSERT INTO counter_values (name, scope_key, value, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (name, scope_key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(name, scopeKey, value, at);
}

export function applyCounterWrite(db: Writer, write: CounterStoreWrite): void {
  switch (write.op) {
    case 'counter.define':
      db.prepare(
        `INSERT INTO counters (name, json, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at`,
      ).run(write.counter.name, JSON.stringify(write.counter), write.at);
      return;
    case 'counter.remove':
      db.prepare('DELETE FROM counters WHERE name = ?').run(write.name);
      db.prepare('DELETE FROM counter_values WHERE name = ?').run(write.name);
      return;
    case 'counter.change': {
      // Once per event and counter: a retried or resumed step finds its change already made.
      const done = db
        .prepare('SELECT 1 FROM counter_changes WHERE event_id = ? AND name = ?')
        .get(write.eventId, write.name);
      if (done) return;
      // Inside the store's write transaction, and the store is the only writer: read-then-write is atomic.
      const next = applyCounterChange(currentValue(db, write.name, write.scopeKey), write.mode, write.amount);
      setValue(db, write.name, write.scopeKey, next, write.at);
      db.prepare('INSERT INTO counter_changes (event_id, name, scope_key, value_after, at) VALUES (?, ?, ?, ?, ?)').run(
        write.eventId,
        write.name,
        write.scopeKey,
        next,
        write.at,
      );
      return;
    }
    case 'counter.setValue':
      setValue(db, write.name, write.scopeKey, write.value, write.at);
      return;
  }
}

export function applyQuoteWrite(db: Writer, write: QuoteStoreWrite): void {
  switch (write.op) {
    case 'quote.add':
      // event_id is UNIQUE: the same chat event adds its quote once.
      db.prepare(
        `INSERT INTO quotes (text, said_by, added_by, added_at, game, event_id) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (event_id) DO NOTHING`,
      ).run(write.text, write.saidBy, write.addedBy, write.at, write.game, write.eventId);
      return;
    case 'quote.update':
      db.prepare('UPDATE quotes SET text = ?, said_by = ?, game = ? WHERE id = ?').run(
        write.quote.text,
        write.quote.saidBy,
        write.quote.game,
        write.id,
      );
      return;
    case 'quote.delete':
      db.prepare('DELETE FROM quotes WHERE id = ?').run(write.id);
      return;
  }
}

export function applyTimerWrite(db: Writer, write: TimerStoreWrite): void {
  switch (write.op) {
    case 'timer.upsert':
      db.prepare(
        `INSERT INTO timers (id, json, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at`,
      ).run(write.timer.id, JSON.stringify(write.timer), write.at);
      return;
    case 'timer.delete':
      db.prepare('DELETE FROM timers WHERE id = ?').run(write.id);
      db.prepare('DELETE FROM timer_state WHERE id = ?').run(write.id);
      return;
    case 'timer.fired':
      db.prepare(
        `INSERT INTO timer_state (id, next_index, last_sent_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET next_index = excluded.next_index, last_sent_at = excluded.last_sent_at,
           updated_at = excluded.updated_at`,
      ).run(write.id, write.nextIndex, write.at, write.at);
      return;
  }
}

/** The appliers to register with the store writer, one per op name. */
export function createFeatureStoreAppliers(
  options: { onInvalid?: (op: string, error: string) => void } = {},
): Record<FeatureStoreWrite['op'], FeatureStoreApplier> {
  const opName = (op: unknown) =>
    typeof (op as { op?: unknown } | null)?.op === 'string' ? (op as { op: string }).op : '(no op)';
  const counters: FeatureStoreApplier = (db, op) => {
    const parsed = CounterStoreWriteSchema.safeParse(op);
    if (parsed.success) applyCounterWrite(db, parsed.data);
    else options.onInvalid?.(opName(op), describeIssues(parsed.error));
  };
  const quotes: FeatureStoreApplier = (db, op) => {
    const parsed = QuoteStoreWriteSchema.safeParse(op);
    if (parsed.success) applyQuoteWrite(db, parsed.data);
    else options.onInvalid?.(opName(op), describeIssues(parsed.error));
  };
  const timers: FeatureStoreApplier = (db, op) => {
    const parsed = TimerStoreWriteSchema.safeParse(op);
    if (parsed.success) applyTimerWrite(db, parsed.data);
    else options.onInvalid?.(opName(op), describeIssues(parsed.error));
  };
  const giveaways: FeatureStoreApplier = (db, op) => {
    const parsed = GiveawayStoreWriteSchema.safeParse(op);
    if (parsed.success) applyGiveawayWrite(db, parsed.data);
    else options.onInvalid?.(opName(op), describeIssues(parsed.error));
  };
  // Built from the ops lists each feature declares; the store's registry checks every name is there.
  const byName = (names: readonly string[], apply: FeatureStoreApplier) => names.map((name) => [name, apply] as const);
  return Object.fromEntries([
    ...byName(GIVEAWAY_STORE_OPS, giveaways),
    ...byName(TIMER_STORE_OPS, timers),
    ...byName(COUNTER_STORE_OPS, counters),
    ...byName(QUOTE_STORE_OPS, quotes),
  ]) as Record<FeatureStoreWrite['op'], FeatureStoreApplier>;
}
