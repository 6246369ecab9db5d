/**
 * The live feed's in-memory window: the newest events, keyed by id, oldest first.
 *
 * A raid can push 1,000 events a second for minutes; the console keeps only a bounded window and
 * pages older history from the host (SQLite). A 'feed' push carries new events and updates of
 * events already shown (stage, disposition, reply), so rows are upserted, never duplicated.
 */
import type { EventQuery } from '../../pipeline/core/host-api.js';
import type { Disposition, Stage } from '../../pipeline/core/envelope.js';
import type { EventSummary } from '../../pipeline/core/protocol/pipeline.js';

export const DEFAULT_WINDOW = 2_000;

export interface FeedWindow {
  /** Ids ordered by ingress time, oldest first. */
  readonly ids: readonly string[];
  readonly byId: ReadonlyMap<string, EventSummary>;
}

export const EMPTY_FEED: FeedWindow = { ids: [], byId: new Map() };

/** Applies one batch of summaries; keeps the newest `max` events. Returns the same window when nothing changed. */
export function applyFeed(window: FeedWindow, batch: readonly EventSummary[], max = DEFAULT_WINDOW): FeedWindow {
  if (batch.length === 0) return window;
  const byId = new Map(window.byId);
  const added: EventSummary[] = [];
  let changed = false;
  for (const item of batch) {
    const known = byId.get(item.id);
    if (known) {
      // Pushes and re-fetches can cross (a reconnect re-reads a page while pushes arrive): keep the newest.
      if (known.updatedAt > item.updatedAt) continue;
      byId.set(item.id, item);
      changed = true;
    } else {
      byId.set(item.id, item);
      added.push(item);
      changed = true;
    }
  }
  if (!changed) return window;
  let ids: string[] = window.ids as string[];
  if (added.length > 0) {
    ids = [...window.ids];
    for (const item of added) insertByTime(ids, byId, item);
  }
  if (ids.length > max) {
    const dropped = ids.slice(0, ids.length - max);
    ids = ids.slice(ids.length - max);
    for (const id of dropped) byId.delete(id);
  }
  return { ids, byId };
}

/** New events nearly always arrive last; walk back from the end only for the few that are late. */
function insertByTime(ids: string[], byId: Map<string, EventSummary>, item: EventSummary): void {
  let index = ids.length;
  while (index > 0) {
    const previous = byId.get(ids[index - 1]!);
    if (!previous || previous.at <= item.at) break;
    index -= 1;
  }
  if (index === ids.length) ids.push(item.id);
  else ids.splice(index, 0, item.id);
}

export interface FeedFilter {
  type: string;
  disposition: Disposition | 'open' | '';
  stage: Stage | '';
  user: string;
  text: string;
}

export const EMPTY_FILTER: FeedFilter = { type: '', disposition: '', stage: '', user: '', text: '' };

export function isFilterEmpty(filter: FeedFilter): boolean {
  return !filter.type && !filter.disposition && !filter.stage && !filter.user.trim() && !filter.text.trim();
}

/** The same filter the host applies to `events.list`, for the live window. */
export function matchesFilter(item: EventSummary, filter: FeedFilter): boolean {
  if (filter.type && item.type !== filter.type) return false;
  if (filter.disposition === 'open' && item.disposition !== null) return false;
  if (filter.disposition && filter.disposition !== 'open' && item.disposition !== filter.disposition) return false;
  if (filter.stage && item.stage !== filter.stage) return false;
  const user = filter.user.trim().toLowerCase();
  if (user && item.login.toLowerCase() !== user) return false;
  const text = filter.text.trim().toLowerCase();
  if (text) {
    const haystack = `${item.text ?? ''} ${item.reply ?? ''}`.toLowerCase();
    for (const word of text.split(/\s+/)) if (!haystack.includes(word)) return false;
  }
  return true;
}

export function visibleIds(window: FeedWindow, filter: FeedFilter): string[] {
  if (isFilterEmpty(filter)) return window.ids as string[];
  return window.ids.filter((id) => {
    const item = window.byId.get(id);
    return item !== undefined && matchesFilter(item, filter);
  });
}

/** The filter as a host query (history search, paged from SQLite). */
export function toEventQuery(filter: FeedFilter, limit = 100): EventQuery {
  const query: EventQuery = { limit };
  if (filter.type) query.type = filter.type;
  if (filter.disposition) query.disposition = filter.disposition;
  if (filter.stage) query.stage = filter.stage;
  if (filter.user.trim()) query.user = filter.user.trim();
  if (filter.text.trim()) query.text = filter.text.trim();
  return query;
}

/** Distinct event types seen in the window, for the filter's choices. */
export function typesIn(window: FeedWindow): string[] {
  const types = new Set<string>();
  for (const item of window.byId.values()) types.add(item.type);
  return [...types].sort();
}
