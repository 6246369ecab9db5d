/**
 * Live: every event as it flows, newest at the bottom, in a virtualized list (only the visible
 * rows exist in the DOM, so a raid costs the same as a quiet chat). Auto-scroll pauses when the
 * moderator scrolls up or presses space; filters apply to the in-memory window, and Enter in the
 * search box pages matching history from the host (SQLite FTS).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { DISPOSITIONS, StageSchema } from '../../pipeline/core/envelope.js';
import type { EventCursor } from '../../pipeline/core/host-api.js';
import type { EventSummary } from '../../pipeline/core/protocol/pipeline.js';
import { isFilterEmpty, toEventQuery, typesIn, visibleIds, EMPTY_FILTER, type FeedFilter } from '../state/feed.js';
import { RoleBadges, StateChip } from '../ui/chips.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';
import { formatMs, formatTime, plural, shortType } from '../ui/format.js';
import { useShortcuts } from '../ui/keys.js';
import { EventDetailPane } from './EventDetail.js';

const ROW_HEIGHT = 30;

interface HistoryResults {
  items: EventSummary[];
  next: EventCursor | null;
  loading: boolean;
}

export function LiveView() {
  const { store, bridge } = useConsoleContext();
  const run = useHostAction();
  const feed = useConsole((state) => state.feed);
  const filter = useConsole((state) => state.filter);
  const selectedId = useConsole((state) => state.selectedEventId);
  const [following, setFollowing] = useState(true);
  const [history, setHistory] = useState<HistoryResults | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);

  const liveIds = useMemo(() => visibleIds(feed, filter), [feed, filter]);
  const types = useMemo(() => typesIn(feed), [feed]);
  const rows: EventSummary[] = useMemo(
    () => (history ? history.items : liveIds.map((id) => feed.byId.get(id)!)),
    [history, liveIds, feed],
  );

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  useEffect(() => {
    // Rows have a fixed height, so the end is known without measuring: one scroll write per update
    // (the virtualizer's scrollToIndex re-checks its offsets over several frames, costly at 60 updates/s).
    const element = scrollRef.current;
    if (following && !history && element && rows.length > 0)
      element.scrollTop = rows.length * ROW_HEIGHT - element.clientHeight;
  }, [following, history, rows]);

  const setFilter = (patch: Partial<FeedFilter>) =>
    store.setState((state) => ({ filter: { ...state.filter, ...patch } }));
  const select = (id: string | null) => store.setState({ selectedEventId: id });

  const searchHistory = async (before?: EventCursor) => {
    const query = { ...toEventQuery(filter, 100), ...(before ? { before } : {}) };
    setHistory((current) => ({ items: before ? (current?.items ?? []) : [], next: null, loading: true }));
    const page = await run('Search', () => bridge.call('events.list', query));
    // The host pages newest first; the list reads oldest first like the live feed.
    setHistory((current) => ({
      items: page ? [...[...page.items].reverse(), ...(before ? (current?.items ?? []) : [])] : (current?.items ?? []),
      next: page?.next ?? null,
      loading: false,
    }));
  };

  const moveSelection = (delta: number) => {
    if (rows.length === 0) return;
    const index = rows.findIndex((row) => row.id === selectedId);
    const nextIndex = index < 0 ? rows.length - 1 : Math.min(rows.length - 1, Math.max(0, index + delta));
    const row = rows[nextIndex];
    if (!row) return;
    setFollowing(false);
    select(row.id);
    virtualizer.scrollToIndex(nextIndex, { align: 'auto' });
  };

  useShortcuts({
    ' ': () => setFollowing((value) => !value),
    j: () => moveSelection(1),
    k: () => moveSelection(-1),
    Escape: () => select(null),
    '/': () => searchRef.current?.focus(),
    End: () => setFollowing(true),
  });

  return (
    <div className={`live${selectedId ? ' with-detail' : ''}`}>
      <div className="live-main">
        <form
          className="filters"
          onSubmit={(event) => {
            event.preventDefault();
            void searchHistory();
          }}
        >
          <input
            ref={searchRef}
            type="search"
            placeholder="Search text (Enter searches history)  /"
            value={filter.text}
            maxLength={200}
            onChange={(event) => setFilter({ text: event.target.value })}
            aria-label="Search text"
          />
          <input
            type="text"
            placeholder="user login"
            value={filter.user}
            maxLength={100}
            onChange={(event) => setFilter({ user: event.target.value })}
            aria-label="User"
          />
          <select value={filter.type} onChange={(event) => setFilter({ type: event.target.value })} aria-label="Type">
            <option value="">all types</option>
            {types.map((type) => (
              <option key={type} value={type}>
                {shortType(type)}
              </option>
            ))}
          </select>
          <select
            value={filter.disposition}
            onChange={(event) => setFilter({ disposition: event.target.value as FeedFilter['disposition'] })}
            aria-label="Disposition"
          >
            <option value="">any outcome</option>
            <option value="open">open (in flight)</option>
            {DISPOSITIONS.map((disposition) => (
              <option key={disposition} value={disposition}>
                {disposition}
              </option>
            ))}
          </select>
          <select
            value={filter.stage}
            onChange={(event) => setFilter({ stage: event.target.value as FeedFilter['stage'] })}
            aria-label="Stage"
          >
            <option value="">any stage</option>
            {StageSchema.options.map((stage) => (
              <option key={stage} value={stage}>
                {stage}
              </option>
            ))}
          </select>
          <button type="submit" title="Search the stored history with these filters">
            Search history
          </button>
          {!isFilterEmpty(filter) && (
            <button type="button" className="ghost" onClick={() => store.setState({ filter: EMPTY_FILTER })}>
              Clear
            </button>
          )}
        </form>
        <div className="live-bar">
          {history ? (
            <>
              <span>
                History: {plural(history.items.length, 'event')}
                {history.loading ? ' (loading…)' : ''}
              </span>
              {history.next && (
                <button type="button" onClick={() => void searchHistory(history.next ?? undefined)}>
                  Load older
                </button>
              )}
              <button type="button" onClick={() => setHistory(null)}>
                Back to live
              </button>
            </>
          ) : (
            <>
              <span>
                {liveIds.length} of {feed.ids.length} events in view
              </span>
              <button
                type="button"
                className={following ? 'active' : ''}
                onClick={() => setFollowing((value) => !value)}
                title="Pause or resume auto-scroll (space)"
                data-testid="follow-toggle"
              >
                {following ? 'Following · space pauses' : 'Paused · resume'}
              </button>
            </>
          )}
        </div>
        <div
          ref={scrollRef}
          className="feed"
          role="list"
          aria-label="Live events"
          onWheel={(event) => {
            if (event.deltaY < 0 && following) setFollowing(false);
          }}
        >
          {rows.length === 0 && (
            <p className="muted empty">{history ? 'No stored events match.' : 'Waiting for events…'}</p>
          )}
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((virtual) => {
              const item = rows[virtual.index]!;
              return (
                <FeedRow
                  key={item.id}
                  item={item}
                  top={virtual.start}
                  selected={item.id === selectedId}
                  onSelect={() => {
                    setFollowing(false);
                    select(item.id);
                  }}
                />
              );
            })}
          </div>
        </div>
      </div>
      {selectedId && <EventDetailPane eventId={selectedId} onClose={() => select(null)} />}
    </div>
  );
}

function totalMs(item: EventSummary): number | undefined {
  const values = Object.values(item.phaseMs);
  return values.length === 0 ? undefined : values.reduce((sum, value) => sum + (value ?? 0), 0);
}

function FeedRow({
  item,
  top,
  selected,
  onSelect,
}: {
  item: EventSummary;
  top: number;
  selected: boolean;
  onSelect: () => void;
}) {
  const phases = Object.entries(item.phaseMs)
    .map(([phase, ms]) => `${phase} ${formatMs(ms)}`)
    .join(' · ');
  return (
    <div
      role="listitem"
      className={`feed-row${selected ? ' selected' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      onClick={onSelect}
      data-event-id={item.id}
    >
      <span className="col-time mono">{formatTime(item.at)}</span>
      <span className={`col-type type-${item.type.split('.')[0]}`}>{shortType(item.type)}</span>
      <span className="col-user">
        <RoleBadges roles={item.roles} />
        {item.displayName}
      </span>
      <span className="col-text" title={item.text ?? undefined}>
        {item.headline && <span className="headline">{item.headline}</span>}
        {item.headline && item.text && ': '}
        {item.text ?? (item.headline ? null : <span className="muted">{item.reason ?? ''}</span>)}
        {item.reply && <span className="reply"> → {item.reply}</span>}
      </span>
      <span className="col-state">
        <StateChip item={item} />
      </span>
      <span className="col-ms mono" title={phases}>
        {formatMs(totalMs(item))}
      </span>
    </div>
  );
}
