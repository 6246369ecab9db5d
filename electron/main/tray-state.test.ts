import { describe, expect, it } from 'vitest';
import type { Approval } from '../../pipeline/core/approval.js';
import type { Health } from '../../pipeline/core/host-api.js';
import type { ConnectorHealth, WorkerHealth } from '../../pipeline/core/protocol/pipeline.js';
import { HeldReplyCounter } from './held-replies.js';
import { heldReplyNotification, notifyHeldReplies, notifyUpdateReady, type NotifierDeps } from './notifications.js';
import { connectionStateOf, trayMenuTemplate, trayTooltip, type TrayMenuActions } from './tray-state.js';

const worker = (state: WorkerHealth['state']): WorkerHealth => ({
  role: 'router',
  state,
  restarts: 0,
  lastError: null,
  lastPongAt: null,
});
const connector = (state: ConnectorHealth['state']): ConnectorHealth => ({
  id: 'twitch-chat',
  state,
  lastEventAt: null,
  detail: null,
});
const health = (workers: WorkerHealth[], connectors: ConnectorHealth[]): Health => ({
  startedAt: 0,
  workers,
  connectors,
  database: { path: 'x', sizeBytes: 0 },
});

function approval(id: string, state: Approval['state'], text = 'hello chat'): Approval {
  return {
    id,
    eventId: `e-${id}`,
    candidateId: `c-${id}`,
    state,
    policy: { mode: 'require' } as Approval['policy'],
    reason: 'rule requires approval',
    heldAt: 1,
    autoSendAt: null,
    expiresAt: null,
    decidedBy: null,
    decidedAt: null,
    console: null,
    originalText: text,
    finalText: null,
    note: null,
  };
}

describe('tray connection state', () => {
  it('shows the worst state the streamer needs to act on', () => {
    expect(connectionStateOf(null)).toBe('starting');
    expect(connectionStateOf(health([worker('ready')], [connector('connected')]))).toBe('connected');
    expect(connectionStateOf(health([worker('ready')], [connector('connected'), connector('reconnecting')]))).toBe(
      'reconnecting',
    );
    expect(connectionStateOf(health([worker('failed')], [connector('connected')]))).toBe('failed');
    expect(connectionStateOf(health([worker('ready')], [connector('idle')]))).toBe('offline');
    expect(trayTooltip('reconnecting', 2)).toBe('BitBrat Desktop: reconnecting · 2 replies waiting for approval');
    expect(trayTooltip('connected', 1)).toContain('1 reply waiting');
  });

  it('builds a menu whose items call the actions', () => {
    const calls: string[] = [];
    const actions: TrayMenuActions = {
      showWindow: () => calls.push('show'),
      setCloseToTray: (value) => calls.push(`closeToTray=${value}`),
      setNotifyHeldReplies: (value) => calls.push(`notify=${value}`),
      openDataFolder: () => calls.push('folder'),
      quit: () => calls.push('quit'),
    };
    const menu = trayMenuTemplate(
      { state: 'connected', held: 0, closeToTray: true, notifyHeldReplies: false },
      actions,
    );
    expect(menu[0]!.label).toBe('Status: connected');
    expect(menu[1]).toMatchObject({ label: 'No replies waiting', enabled: false });
    const byLabel = (prefix: string) => menu.find((item) => item.label?.startsWith(prefix))!;
    expect(byLabel('Keep running')).toMatchObject({ type: 'checkbox', checked: true });
    type Click = (item: { checked: boolean }) => void;
    (byLabel('Keep running').click as unknown as Click)({ checked: false });
    (byLabel('Notify me').click as unknown as Click)({ checked: true });
    (byLabel('Quit').click as unknown as Click)({ checked: false });
    expect(calls).toEqual(['closeToTray=false', 'notify=true', 'quit']);
    expect(menu.some((item) => item.label?.startsWith('Update'))).toBe(false);
  });

  it('shows a downloaded update under the status, as information only', () => {
    const noop = () => {};
    const menu = trayMenuTemplate(
      { state: 'connected', held: 0, closeToTray: true, notifyHeldReplies: true, updateReady: '1.2.3' },
      { showWindow: noop, setCloseToTray: noop, setNotifyHeldReplies: noop, openDataFolder: noop, quit: noop },
    );
    expect(menu[1]).toEqual({ label: 'Update 1.2.3 installs when you quit', enabled: false });
  });
});

describe('held reply counting and notifications', () => {
  it('counts open approvals and reports only the newly held ones', () => {
    const counter = new HeldReplyCounter();
    counter.reset([approval('a', 'held'), approval('b', 'approved')]);
    expect(counter.count).toBe(1);
    expect(counter.apply([approval('a', 'held'), approval('c', 'held')]).map((item) => item.id)).toEqual(['c']);
    expect(counter.count).toBe(2);
    // A regenerating record is closed: its event gets a new held reply of its own.
    expect(counter.apply([approval('a', 'regenerating')])).toEqual([]);
    expect(counter.count).toBe(1);
    counter.apply([approval('a', 'rejected'), approval('c', 'expired')]);
    expect(counter.count).toBe(0);
  });

  it('notifies once per batch, silently, only when enabled and supported', () => {
    expect(heldReplyNotification([])).toBeNull();
    expect(heldReplyNotification([approval('a', 'held', 'x'.repeat(300))])!.body).toHaveLength(140);
    expect(heldReplyNotification([approval('a', 'held'), approval('b', 'held')])!.title).toBe(
      '2 replies waiting for approval',
    );
    const shown: unknown[] = [];
    let enabled = true;
    let clicked = 0;
    const deps: NotifierDeps = {
      isSupported: () => true,
      enabled: () => enabled,
      onClick: () => clicked++,
      create: (content) => ({
        on: (_event, listener) => listener(),
        show: () => shown.push(content),
      }),
    };
    expect(notifyHeldReplies(deps, [approval('a', 'held')])).toBe(true);
    expect(shown).toEqual([{ title: 'Reply waiting for approval', body: 'hello chat', silent: true }]);
    expect(clicked).toBe(1);
    enabled = false;
    expect(notifyHeldReplies(deps, [approval('b', 'held')])).toBe(false);
    expect(shown).toHaveLength(1);
  });

  it('announces a downloaded update silently, whatever the held-replies setting', () => {
    const shown: { title: string; silent: boolean }[] = [];
    let supported = false;
    const deps: Omit<NotifierDeps, 'enabled'> = {
      isSupported: () => supported,
      onClick: () => {},
      create: (content) => ({ on: () => undefined, show: () => shown.push(content) }),
    };
    expect(notifyUpdateReady(deps, '1.2.3')).toBe(false);
    supported = true;
    expect(notifyUpdateReady(deps, '1.2.3')).toBe(true);
    expect(shown).toEqual([expect.objectContaining({ title: 'BitBrat 1.2.3 is ready', silent: true })]);
  });
});
