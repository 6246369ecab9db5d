/** The shell: navigation (number keys), connection state, held count, notices, and the views. */
import { useEffect, useState } from 'react';
import { dismissNotice, type ViewName } from './state/store.js';
import { DEMO_CONNECTOR } from '../pipeline/core/demo.js';
import { openCount } from './state/approvals.js';
import { connectorView } from './state/health-view.js';
import { useConsole, useConsoleContext } from './ui/context.js';
import { useShortcuts } from './ui/keys.js';
import { ApprovalsView } from './views/ApprovalsView.js';
import { BackupsView } from './views/BackupsView.js';
import { CommandsView } from './views/CommandsView.js';
import { ConnectionsView } from './views/ConnectionsView.js';
import { CountersQuotesView } from './views/CountersQuotesView.js';
import { DashboardView } from './views/DashboardView.js';
import { FirstRun } from './views/FirstRun.js';
import { LiveView } from './views/LiveView.js';
import { MemoryView } from './views/MemoryView.js';
import { OverlayView } from './views/OverlayView.js';
import { PersonasView } from './views/PersonasView.js';
import { RulesView } from './views/RulesView.js';
import { SettingsView } from './views/SettingsView.js';
import { UsersView } from './views/UsersView.js';

/** `short`: the nav's text where the full label would not fit one line (the full one is its name and title). */
const VIEWS: { name: ViewName; label: string; short?: string }[] = [
  { name: 'live', label: 'Live' },
  { name: 'approvals', label: 'Approvals' },
  { name: 'dashboard', label: 'Dashboard' },
  { name: 'rules', label: 'Rules' },
  { name: 'commands', label: 'Commands' },
  { name: 'personas', label: 'Personas' },
  { name: 'memory', label: 'Memory' },
  { name: 'users', label: 'Users' },
  { name: 'settings', label: 'Settings' },
  { name: 'connections', label: 'Connections' },
  { name: 'overlay', label: 'Overlay & clients' },
  // Appended: the number keys of the views above stay as they were.
  { name: 'features', label: 'Timers, counters & quotes', short: 'Features' },
  { name: 'backups', label: 'Backups & export', short: 'Backups' },
];

/** 1–9 then 0: the first ten views have a number key (the rest are a click away). */
const viewKey = (index: number) => (index < 9 ? String(index + 1) : index === 9 ? '0' : null);

export function App() {
  const { store, moderator } = useConsoleContext();
  const view = useConsole((state) => state.view);
  const held = useConsole((state) => openCount(state.approvals));
  const settings = useConsole((state) => state.settings);
  const [help, setHelp] = useState(false);
  // The demo can be watched with no channel named: the wizard steps aside for this session.
  const demo = useConsole((state) => state.health?.connectors.some((c) => c.id === DEMO_CONNECTOR) ?? false);
  const [watchingDemo, setWatchingDemo] = useState(false);
  const go = (name: ViewName) => store.setState({ view: name });
  const viewKeysArmed = useConsole((state) => state.viewKeysArmed);
  // A toast belongs to the view it came from: leaving the view clears them.
  useEffect(() => store.setState({ notices: [], viewKeysArmed: false }), [view, store]);

  useShortcuts(
    Object.fromEntries([
      ...VIEWS.flatMap((entry, index) => {
        const key = viewKey(index);
        return key ? [[key, () => go(entry.name)]] : [];
      }),
      ['?', () => setHelp((value) => !value)],
      // A second Escape in Approvals gives the number keys back to the candidates.
      ...(view === 'approvals' ? [['Escape', () => store.setState({ viewKeysArmed: false })]] : []),
    ]),
    // Number keys pick a candidate inside the approval queue, unless Escape armed them for navigation.
    view !== 'approvals' || viewKeysArmed,
  );
  useShortcuts(
    { '?': () => setHelp((value) => !value), Escape: () => store.setState({ viewKeysArmed: true }) },
    view === 'approvals' && !viewKeysArmed,
  );

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">BitBrat</span>
        <nav aria-label="Views">
          {VIEWS.map((entry, index) => (
            <button
              key={entry.name}
              type="button"
              className={`tab${entry.name === view ? ' active' : ''}`}
              onClick={() => go(entry.name)}
              title={viewKey(index) ? `${entry.label} (${viewKey(index)})` : entry.label}
              aria-label={entry.short ? entry.label : undefined}
            >
              {entry.short ?? entry.label}
              {entry.name === 'approvals' && held > 0 && (
                <span className="count" data-testid="held-count">
                  {held}
                </span>
              )}
            </button>
          ))}
        </nav>
        <span className="spacer" />
        <span className="channel-status" data-testid="channel-status">
          {settings?.channel && <span className="muted">#{settings.channel}</span>}
          <ConnectorDots />
        </span>
        <ConnectionBadge />
        <span className="muted small moderator" title="Your name on decisions">
          {moderator}
        </span>
      </header>
      <main className="content">
        {view === 'live' && <LiveView />}
        {view === 'approvals' && <ApprovalsView />}
        {view === 'dashboard' && <DashboardView />}
        {view === 'rules' && <RulesView />}
        {view === 'commands' && <CommandsView />}
        {view === 'features' && <CountersQuotesView />}
        {view === 'backups' && <BackupsView />}
        {view === 'personas' && <PersonasView />}
        {view === 'memory' && <MemoryView />}
        {view === 'users' && <UsersView />}
        {view === 'settings' && <SettingsView />}
        {view === 'connections' && <ConnectionsView />}
        {view === 'overlay' && <OverlayView />}
      </main>
      {settings && settings.channel === '' && !watchingDemo && (
        <FirstRun demo={demo} onWatchDemo={() => setWatchingDemo(true)} />
      )}
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
      <Notices />
    </div>
  );
}

/**
 * The health of each connector beside the channel (the console's own link is shown apart): a
 * channel is only "green" when the connector reading it is connected and delivering.
 */
function ConnectorDots() {
  const health = useConsole((state) => state.health);
  const healthAt = useConsole((state) => state.healthAt);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <>
      {(health?.connectors ?? []).map((connector) => {
        const view = connectorView(connector, now, healthAt);
        return (
          <span
            key={connector.id}
            className={`tone tone-${view.tone} connector-dot`}
            title={`${connector.id}: ${view.label}`}
            data-connector={connector.id}
            data-state={connector.state}
          >
            <span className="dot" aria-hidden="true" />
            {connector.id}
            {connector.state !== 'connected' && <span className="muted"> {connector.state}</span>}
          </span>
        );
      })}
    </>
  );
}

function ConnectionBadge() {
  const connection = useConsole((state) => state.connection);
  const label =
    connection.status === 'open'
      ? 'console linked'
      : connection.status === 'connecting'
        ? 'console connecting…'
        : 'console disconnected';
  return (
    <span
      className={`conn conn-${connection.status}`}
      title={connection.detail ?? undefined}
      data-testid="connection"
      data-status={connection.status}
    >
      <span className="dot" aria-hidden="true" />
      {label}
      {connection.status !== 'open' && connection.detail && <span className="conn-detail"> · {connection.detail}</span>}
    </span>
  );
}

/** Info notices leave by themselves; errors stay until dismissed so nobody misses one. */
const INFO_NOTICE_MS = 6_000;

function Notices() {
  const { store } = useConsoleContext();
  const notices = useConsole((state) => state.notices);
  useEffect(() => {
    const timers = notices
      .filter((notice) => notice.tone === 'info')
      .map((notice) => setTimeout(() => dismissNotice(store, notice.id), INFO_NOTICE_MS));
    return () => timers.forEach(clearTimeout);
  }, [notices, store]);
  return (
    <div className="notices" aria-live="polite">
      {notices.map((notice) => (
        <div key={notice.id} className={`notice notice-${notice.tone}`}>
          {notice.text}
          <button type="button" className="ghost" onClick={() => dismissNotice(store, notice.id)} aria-label="Dismiss">
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}

function HelpOverlay({ onClose }: { onClose: () => void }) {
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal help" role="dialog" aria-label="Keyboard shortcuts">
        <h2>Keyboard</h2>
        <dl className="facts">
          <dt>1–9, 0</dt>
          <dd>switch view</dd>
          <dt>Esc, then 1–9, 0</dt>
          <dd>switch view from Approvals (there the numbers pick candidates)</dd>
          <dt>j / k</dt>
          <dd>next / previous item</dd>
          <dt>space</dt>
          <dd>pause / resume the live feed</dd>
          <dt>/</dt>
          <dd>search</dd>
          <dt>a e r g</dt>
          <dd>approve, edit, reject, regenerate</dd>
          <dt>u</dt>
          <dd>undo a reject (for a few seconds)</dd>
          <dt>1–9</dt>
          <dd>send another candidate (Approvals)</dd>
          <dt>Esc</dt>
          <dd>close / cancel</dd>
        </dl>
      </div>
    </div>
  );
}
