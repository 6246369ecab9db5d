/**
 * Reads counters, quotes and the stream's live state on a read-only connection (the reaction
 * worker's and the host's). Writes go to the store worker as ops (feature-store-appliers.ts).
 */
import { CounterSchema, type Counter, type CounterValue } from '../../core/counters.js';
import { KnownEventTypes } from '../../core/envelope.js';
import type { Quote } from '../../core/quotes.js';
import { TimerSchema, type Timer, type TimerState } from '../../core/timers.js';
import type { ReadDb } from '../store/database.js';

/** EventSub's stream.online / stream.offline, as ingress names them (eventsub-normalize.ts). */
export const STREAM_EVENT_TYPES = {
  online: KnownEventTypes.streamOnline,
  offline: KnownEventTypes.streamOffline,
} as const;

const CHAT_MESSAGE = KnownEventTypes.chatMessage;

export interface StreamState {
  live: boolean;
  /** When the current stream started (live only). */
  startedAt: number | null;
}

export interface FeatureReader {
  counters(): Counter[];
  counterValue(name: string, scopeKey: string): number;
  counterValues(params: { name?: string; limit: number }): CounterValue[];
  /** The value a chat event's change produced, once the store committed it. */
  changeResult(eventId: string, name: string): number | undefined;
  quote(id: number): Quote | undefined;
  /** The quote a chat event added. */
  quoteAddedBy(eventId: string): Quote | undefined;
  randomQuote(): Quote | undefined;
  /** A random quote containing every word (case-insensitive). */
  searchQuote(words: string): Quote | undefined;
  listQuotes(params: { search?: string; limit: number }): Quote[];
  /** From the latest stream.online / stream.offline event (none: offline). */
  stream(): StreamState;
  timers(): Timer[];
  timerStates(): Map<string, TimerState>;
  /** Chat messages that entered since `at` (events_type_at: an index range count). */
  chatLinesSince(at: number): number;
}

interface QuoteRow {
  id: number;
  text: string;
  said_by: string;
  added_by: string;
  added_at: number;
  game: string | null;
}

const QUOTE_COLUMNS = 'id, text, said_by, added_by, added_at, game';

function toQuote(row: QuoteRow | undefined): Quote | undefined {
  if (!row) return undefined;
  return {
    id: row.id,
    text: row.text,
    saidBy: row.said_by,
    addedBy: row.added_by,
    addedAt: row.added_at,
    game: row.game,
  };
}

/** LIKE with the user's text taken literally. */
function likePattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

export function createFeatureReader(db: ReadDb, log?: (message: string) => void): FeatureReader {
  const statements = {
    counters: db.prepare<[], { name: string; json: string }>('SELECT name, json FROM counters ORDER BY name'),
    counterValue: db.prepare<[string, string], { value: number }>(
      'SELECT value FROM counter_values WHERE name = ? AND scope_key = ?',
    ),
    allValues: db.prepare<[number], { name: string; scope_key: string; value: number; updated_at: number }>(
      'SELECT name, scope_key, value, updated_at FROM counter_values ORDER BY name, scope_key LIMIT ?',
    ),
    valuesOf: db.prepare<[string, number], { name: string; scope_key: string; value: number; updated_at: number }>(
      'SELECT name, scope_key, value, updated_at FROM counter_values WHERE name = ? ORDER BY value DESC, scope_key LIMIT ?',
    ),
    change: db.prepare<[string, string], { value_after: number }>(
      'SELECT value_after FROM counter_changes WHERE event_id = ? AND name = ?',
    ),
    quote: db.prepare<[number], QuoteRow>(`SELECT ${QUOTE_COLUMNS} FROM quotes WHERE id = ?`),
    quoteByEvent: db.prepare<[string], QuoteRow>(`SELECT ${QUOTE_COLUMNS} FROM quotes WHERE event_id = ?`),
    quoteCount: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM quotes'),
    quoteAt: db.prepare<[number], QuoteRow>(`SELECT ${QUOTE_COLUMNS} FROM quotes ORDER BY id LIMIT 1 OFFSET ?`),
    listQuotes: db.prepare<[number], QuoteRow>(`SELECT ${QUOTE_COLUMNS} FROM quotes ORDER BY id DESC LIMIT ?`),
    streamEvent: db.prepare<[string, string], { type: string; at: number; envelope: string }>(
      // events_type_at serves each branch; the newest of the two wins.
      `SELECT type, at, envelope FROM (
         SELECT type, at, envelope FROM (SELECT * FROM events WHERE type = ? ORDER BY at DESC LIMIT 1)
         UNION ALL
         SELECT type, at, envelope FROM (SELECT * FROM events WHERE type = ? ORDER BY at DESC LIMIT 1)
       ) ORDER BY at DESC LIMIT 1`,
    ),
    timers: db.prepare<[], { id: string; json: string }>('SELECT id, json FROM timers ORDER BY id'),
    timerStates: db.prepare<[], { id: string; next_index: number; last_sent_at: number | null }>(
      'SELECT id, next_index, last_sent_at FROM timer_state',
    ),
    chatLines: db.prepare<[string, number], { n: number }>(
      'SELECT count(*) AS n FROM events WHERE type = ? AND at > ?',
    ),
  };
  const random = () => Math.random();

  const searchQuotes = (words: string, limit: number): Quote[] => {
    const terms = words
      .split(/\s+/)
      .filter((word) => word.length > 0)
      .slice(0, 8);
    if (terms.length === 0) return [];
    const where = terms.map(() => "(text LIKE ? ESCAPE '\\' OR said_by LIKE ? ESCAPE '\\')").join(' AND ');
    const params = terms.flatMap((term) => [likePattern(term), likePattern(term)]);
    return (
      db
        .prepare(`SELECT ${QUOTE_COLUMNS} FROM quotes WHERE ${where} ORDER BY id DESC LIMIT ?`)
        .all(...params, limit) as QuoteRow[]
    ).map((row) => toQuote(row)!);
  };

  return {
    counters() {
      const counters: Counter[] = [];
      for (const row of statements.counters.all()) {
        const parsed = CounterSchema.safeParse(JSON.parse(row.json));
        if (parsed.success) counters.push(parsed.data);
        else log?.(`stored counter "${row.name}" is invalid and was skipped`);
      }
      return counters;
    },
    counterValue(name, scopeKey) {
      return statements.counterValue.get(name, scopeKey)?.value ?? 0;
    },
    counterValues({ name, limit }) {
      const rows = name === undefined ? statements.allValues.all(limit) : statements.valuesOf.all(name, limit);
      return rows.map((row) => ({
        name: row.name,
        scopeKey: row.scope_key,
        value: row.value,
        updatedAt: row.updated_at,
      }));
    },
    changeResult(eventId, name) {
      return statements.change.get(eventId, name)?.value_after;
    },
    quote(id) {
      return toQuote(statements.quote.get(id));
    },
    quoteAddedBy(eventId) {
      return toQuote(statements.quoteByEvent.get(eventId));
    },
    randomQuote() {
      const count = statements.quoteCount.get()?.n ?? 0;
      if (count === 0) return undefined;
      return toQuote(statements.quoteAt.get(Math.floor(random() * count)));
    },
    searchQuote(words) {
      const found = searchQuotes(words, 50);
      return found[Math.floor(random() * found.length)];
    },
    listQuotes({ search, limit }) {
      if (search && search.trim().length > 0) return searchQuotes(search, limit);
      return statements.listQuotes.all(limit).map((row) => toQuote(row)!);
    },
    timers() {
      const timers: Timer[] = [];
      for (const row of statements.timers.all()) {
        const parsed = TimerSchema.safeParse(JSON.parse(row.json));
        if (parsed.success) timers.push(parsed.data);
        else log?.(`stored timer "${row.id}" is invalid and was skipped`);
      }
      return timers;
    },
    timerStates() {
      return new Map(
        statements.timerStates
          .all()
          .map((row) => [row.id, { id: row.id, nextIndex: row.next_index, lastSentAt: row.last_sent_at }]),
      );
    },
    chatLinesSince(at) {
      return statements.chatLines.get(CHAT_MESSAGE, at)?.n ?? 0;
    },
    stream() {
      const row = statements.streamEvent.get(STREAM_EVENT_TYPES.online, STREAM_EVENT_TYPES.offline);
      if (!row || row.type !== STREAM_EVENT_TYPES.online) return { live: false, startedAt: null };
      let startedAt = row.at;
      try {
        const details = (JSON.parse(row.envelope) as { details?: { startedAt?: unknown } }).details;
        if (typeof details?.startedAt === 'number') startedAt = details.startedAt;
      } catch {
        // The ingress time is close enough.
      }
      return { live: true, startedAt };
    },
  };
}
