/**
 * The console's state: one zustand store, fed by the bridge. Pushes go through a frame batcher;
 * on every (re)connect the store re-reads what the pushes cannot replay (held replies, recent
 * events, settings, health).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Approval } from '../../pipeline/core/approval.js';
import type { Health, Settings } from '../../pipeline/core/host-api.js';
import type { EventSummary } from '../../pipeline/core/protocol/pipeline.js';
import type { Bridge, ConnectionStatus } from '../../pipeline/core/bridge.js';
import {
  applyApprovals,
  EMPTY_APPROVALS,
  missingEvents,
  rememberEvents,
  resetHeld,
  type ApprovalsState,
} from './approvals.js';
import { applyFeed, DEFAULT_WINDOW, EMPTY_FEED, EMPTY_FILTER, type FeedFilter, type FeedWindow } from './feed.js';
import { createFrameBatcher, type Scheduler } from './frame-batcher.js';

export type ViewName =
  | 'live'
  | 'approvals'
  | 'dashboard'
  | 'rules'
  | 'commands'
  | 'features'
  | 'backups'
  | 'personas'
  | 'memory'
  | 'users'
  | 'settings'
  | 'connections'
  | 'overlay';

export interface Notice {
  id: number;
  text: string;
  tone: 'info' | 'error';
}

export interface ConsoleState {
  connection: { status: ConnectionStatus; detail: string | null; openedAt: number | null };
  feed: FeedWindow;
  /** Events received since the console opened (for the status bar). */
  received: number;
  lastFeedAt: number | null;
  approvals: ApprovalsState;
  health: Health | null;
  healthAt: number | null;
  settings: Settings | null;
  filter: FeedFilter;
  selectedEventId: string | null;
  view: ViewName;
  /** What the Memory view shows (set by Users → "memory"). */
  memoryFilter: { scope: 'user' | 'channel' | ''; scopeKey: string };
  notices: Notice[];
  /**
   * Inside Approvals the number keys pick candidates; Escape arms them to switch view instead, for
   * the next key only (a keyboard-only moderator must be able to leave the view).
   */
  viewKeysArmed: boolean;
}

export type ConsoleStore = StoreApi<ConsoleState>;

export function createConsoleStore(): ConsoleStore {
  return createStore<ConsoleState>(() => ({
    connection: { status: 'connecting', detail: null, openedAt: null },
    feed: EMPTY_FEED,
    received: 0,
    lastFeedAt: null,
    approvals: EMPTY_APPROVALS,
    health: null,
    healthAt: null,
    settings: null,
    filter: EMPTY_FILTER,
    selectedEventId: null,
    view: 'live',
    memoryFilter: { scope: '', scopeKey: '' },
    notices: [],
    viewKeysArmed: false,
  }));
}

let nextNoticeId = 1;

export function notify(store: ConsoleStore, text: string, tone: Notice['tone'] = 'info'): void {
  const notice = { id: nextNoticeId++, text, tone };
  store.setState((state) => ({ notices: [...state.notices.slice(-4), notice] }));
}

export function dismissNotice(store: ConsoleStore, id: number): void {
  store.setState((state) => ({ notices: state.notices.filter((notice) => notice.id !== id) }));
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface ConsoleOptions {
  scheduler: Scheduler;
  now?: () => number;
  windowSize?: number;
  /** Called for each approval that newly became held (sound, desktop notification). */
  onNewHeld?: (approval: Approval) => void;
}

/** Wires the bridge into the store. Returns a function that unhooks everything. */
export function connectConsole(bridge: Bridge, store: ConsoleStore, options: ConsoleOptions): () => void {
  const now = options.now ?? Date.now;
  const windowSize = options.windowSize ?? DEFAULT_WINDOW;

  const feedBatcher = createFrameBatcher<EventSummary>((items) => {
    store.setState((state) => ({
      feed: applyFeed(state.feed, items, windowSize),
      received: state.received + items.length,
      lastFeedAt: now(),
      approvals: rememberEvents(state.approvals, items),
    }));
  }, options.scheduler);

  const approvalBatcher = createFrameBatcher<Approval>((items) => {
    const before = store.getState().approvals;
    const after = applyApprovals(before, items);
    if (after === before) return;
    store.setState((state) => ({ approvals: rememberEvents(after, [...state.feed.byId.values()]) }));
    if (options.onNewHeld) {
      for (const approval of items)
        if (approval.state === 'held' && !before.byId.has(approval.id)) options.onNewHeld(approval);
    }
    if (missingEvents(store.getState().approvals).length > 0) void refreshHeld();
  }, options.scheduler);

  let refreshing: Promise<void> | null = null;
  const refreshHeld = (): Promise<void> => {
    refreshing ??= bridge
      .call('approvals.list', { open: true })
      .then((held) => store.setState((state) => ({ approvals: resetHeld(state.approvals, held, now()) })))
      .catch((error: unknown) => notify(store, `Could not load held replies: ${errorText(error)}`, 'error'))
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  };

  const reload = async () => {
    const results = await Promise.allSettled([
      bridge.call('settings.get', {}).then((settings) => store.setState({ settings })),
      bridge.call('health.get', {}).then((health) => store.setState({ health, healthAt: now() })),
      bridge
        .call('events.list', { limit: 200 })
        .then((page) => store.setState((state) => ({ feed: applyFeed(state.feed, page.items, windowSize) }))),
      refreshHeld(),
    ]);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed && failed.status === 'rejected')
      notify(store, `Could not load state: ${errorText(failed.reason)}`, 'error');
  };

  const unhook = [
    bridge.subscribe('feed', (items) => feedBatcher.add(items)),
    bridge.subscribe('approvals', (items) => approvalBatcher.add(items)),
    bridge.subscribe('health', (health) => store.setState({ health, healthAt: now() })),
    bridge.onStatus((status, detail) => {
      store.setState((state) => ({
        connection: { status, detail, openedAt: status === 'open' ? now() : state.connection.openedAt },
      }));
      if (status === 'open') void reload();
    }),
  ];
  const status = bridge.status();
  store.setState({ connection: { status, detail: null, openedAt: status === 'open' ? now() : null } });
  if (status === 'open') void reload();

  return () => {
    for (const off of unhook) off();
    feedBatcher.dispose();
    approvalBatcher.dispose();
  };
}
