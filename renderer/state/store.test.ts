import { describe, expect, it } from 'vitest';
import type { Approval } from '../../pipeline/core/approval.js';
import {
  SettingsSchema,
  type HostApi,
  type HostMethod,
  type HostPushes,
  type HostTopic,
} from '../../pipeline/core/host-api.js';
import type { EventSummary } from '../../pipeline/core/protocol/pipeline.js';
import type { Bridge, ConnectionStatus } from '../../pipeline/core/bridge.js';
import type { Scheduler } from './frame-batcher.js';
import { connectConsole, createConsoleStore } from './store.js';

function summary(id: string, at: number): EventSummary {
  return {
    id,
    type: 'chat.message.v1',
    at,
    channel: 'c',
    connector: 'sim',
    login: 'u',
    displayName: 'U',
    roles: [],
    text: 'hi',
    stage: 'reaction',
    disposition: null,
    reason: null,
    reply: null,
    phaseMs: {},
    updatedAt: at,
  };
}

function held(id: string, eventId: string): Approval {
  return {
    id,
    eventId,
    candidateId: 'c1',
    state: 'held',
    policy: { mode: 'require', expireSeconds: 300 },
    reason: 'needs a look',
    heldAt: 1,
    autoSendAt: null,
    expiresAt: 300_001,
    decidedBy: null,
    decidedAt: null,
    console: null,
    originalText: 'hello',
    finalText: null,
    note: null,
  };
}

/** A host in memory: the handlers the store calls, pushes the test sends, a status the test flips. */
function memoryHost(
  handlers: Partial<{ [K in HostMethod]: (params: Parameters<HostApi[K]>[0]) => Awaited<ReturnType<HostApi[K]>> }>,
) {
  let status: ConnectionStatus = 'connecting';
  const statusListeners = new Set<(status: ConnectionStatus, detail: string | null) => void>();
  const topics = new Map<string, Set<(data: never) => void>>();
  const calls: string[] = [];
  const bridge: Bridge = {
    consoleId: 'test',
    call(method, params) {
      calls.push(method);
      const handler = handlers[method] as ((params: unknown) => unknown) | undefined;
      if (!handler) return Promise.reject(new Error(`no handler for ${method}`)) as never;
      return Promise.resolve().then(() => handler(params)) as never;
    },
    subscribe(topic, listener) {
      const set = topics.get(topic) ?? new Set();
      topics.set(topic, set);
      set.add(listener as (data: never) => void);
      return () => set.delete(listener as (data: never) => void);
    },
    status: () => status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
  };
  return {
    bridge,
    calls,
    setStatus(next: ConnectionStatus) {
      status = next;
      for (const listener of statusListeners) listener(next, null);
    },
    push<T extends HostTopic>(topic: T, data: HostPushes[T]) {
      for (const listener of topics.get(topic) ?? []) (listener as (data: HostPushes[T]) => void)(data);
    },
  };
}

function manualFrames() {
  const pending = new Set<() => void>();
  const scheduler: Scheduler = {
    frame: (callback) => (pending.add(callback), () => pending.delete(callback)),
    timer: () => () => {},
  };
  return {
    scheduler,
    frame() {
      const due = [...pending];
      pending.clear();
      for (const callback of due) callback();
    },
  };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the console store', () => {
  it('loads settings, recent events and held replies each time the connection opens', async () => {
    const host = memoryHost({
      'settings.get': () => SettingsSchema.parse({ channel: 'chan' }),
      'health.get': () => ({ startedAt: 1, workers: [], connectors: [], database: { path: 'x', sizeBytes: 0 } }),
      'events.list': () => ({ items: [summary('e1', 1), summary('e2', 2)], next: null }),
      'approvals.list': () => [{ approval: held('a1', 'e9'), event: summary('e9', 9) }],
    });
    const store = createConsoleStore();
    connectConsole(host.bridge, store, { scheduler: manualFrames().scheduler });
    host.setStatus('open');
    await settled();
    const state = store.getState();
    expect(state.settings?.channel).toBe('chan');
    expect(state.feed.ids).toEqual(['e1', 'e2']);
    expect(state.approvals.byId.get('a1')?.state).toBe('held');
    expect(state.approvals.events.get('e9')?.id).toBe('e9');

    host.setStatus('closed');
    expect(store.getState().connection.status).toBe('closed');
    host.setStatus('open');
    await settled();
    expect(host.calls.filter((method) => method === 'approvals.list')).toHaveLength(2);
  });

  it('applies a burst of feed pushes in one update per frame', async () => {
    const host = memoryHost({});
    const frames = manualFrames();
    const store = createConsoleStore();
    connectConsole(host.bridge, store, { scheduler: frames.scheduler, windowSize: 50 });
    let updates = 0;
    store.subscribe(() => updates++);
    for (let i = 0; i < 200; i++) host.push('feed', [summary(`e${i}`, i)]);
    expect(store.getState().feed.ids).toHaveLength(0);
    frames.frame();
    expect(updates).toBe(1);
    expect(store.getState().feed.ids).toHaveLength(50);
    expect(store.getState().received).toBe(200);
  });

  it("fetches the context of a newly held reply and shows another console's decision", async () => {
    const host = memoryHost({
      'approvals.list': () => [{ approval: held('a1', 'e1'), event: summary('e1', 1) }],
    });
    const frames = manualFrames();
    const store = createConsoleStore();
    const newlyHeld: string[] = [];
    connectConsole(host.bridge, store, { scheduler: frames.scheduler, onNewHeld: (a) => newlyHeld.push(a.id) });
    host.push('approvals', [held('a1', 'e1')]);
    frames.frame();
    await settled();
    expect(newlyHeld).toEqual(['a1']);
    expect(store.getState().approvals.events.get('e1')?.text).toBe('hi');

    host.push('approvals', [
      { ...held('a1', 'e1'), state: 'approved', decidedBy: 'alice', decidedAt: 50, console: 'web-2' },
    ]);
    frames.frame();
    expect(store.getState().approvals.byId.get('a1')).toMatchObject({ state: 'approved', decidedBy: 'alice' });
    expect(newlyHeld).toEqual(['a1']);
  });
});
