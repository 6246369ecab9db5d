import { describe, expect, it } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { HOST_METHODS, type HostApi, type HostPushes, type HostTopic } from '../../pipeline/core/host-api.js';
import { createDesktopBridge } from '../preload/desktop-bridge.js';
import { METHOD_CHANNELS, methodChannel, topicChannel } from '../preload/ipc-channels.js';
import type { HostPushListener } from './host-like.js';
import {
  forwardHostPushes,
  handleHostInvoke,
  isTrustedSender,
  registerHostIpc,
  type FrameLike,
  type HostIpcDeps,
  type IpcMainLike,
  type SenderEvent,
} from './ipc-host.js';

const topFrame: FrameLike = { url: 'app://bitbrat/index.html', parent: null, processId: 7, routingId: 1 };
const eventFrom = (frame: FrameLike | null) => ({ senderFrame: frame }) as unknown as SenderEvent;

/** A host whose methods record the params they received. */
function recordingHost() {
  const calls: { method: string; params: unknown }[] = [];
  const api = new Proxy({} as HostApi, {
    get: (_target, method: string) => async (params: unknown) => {
      calls.push({ method, params });
      if (method === 'rules.delete') throw Object.assign(new Error('rule is in use'), { code: 'RULE_IN_USE' });
      return { method };
    },
  });
  return { api, calls };
}

function deps(overrides: Partial<HostIpcDeps> = {}) {
  const { api, calls } = recordingHost();
  const logged: { level: string; message: string }[] = [];
  const value: HostIpcDeps = {
    api,
    trustedFrame: () => topFrame,
    log: (level, message) => logged.push({ level, message }),
    ...overrides,
  };
  return { deps: value, calls, logged };
}

describe('sender checks', () => {
  it('trusts only the main window top frame on the app:// origin', () => {
    expect(isTrustedSender(eventFrom(topFrame), () => topFrame)).toBe(true);
    expect(isTrustedSender(eventFrom(null), () => topFrame)).toBe(false);
    expect(isTrustedSender(eventFrom(topFrame), () => null)).toBe(false);
    expect(isTrustedSender(eventFrom({ ...topFrame }), () => topFrame)).toBe(true);
    const otherWindow: FrameLike = { ...topFrame, processId: 8 };
    expect(isTrustedSender(eventFrom(otherWindow), () => topFrame)).toBe(false);
    const otherFrameSameProcess: FrameLike = { ...topFrame, routingId: 2 };
    expect(isTrustedSender(eventFrom(otherFrameSameProcess), () => topFrame)).toBe(false);
    const navigatedAway = { ...topFrame, url: 'https://evil.example/' };
    expect(isTrustedSender(eventFrom(navigatedAway), () => navigatedAway)).toBe(false);
    const subframe = { ...topFrame, url: 'app://bitbrat/x.html', parent: topFrame as never };
    expect(isTrustedSender(eventFrom(subframe), () => subframe)).toBe(false);
    const lookalike = { ...topFrame, url: 'app://bitbrat.evil/index.html' };
    expect(isTrustedSender(eventFrom(lookalike), () => lookalike)).toBe(false);
  });
});

describe('handleHostInvoke', () => {
  it('refuses an unknown channel', async () => {
    const { deps: d, calls } = deps();
    const reply = await handleHostInvoke(d, 'bitbrat:call:process.exit', eventFrom(topFrame), {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(calls).toEqual([]);
  });

  it('refuses a foreign sender frame and logs it', async () => {
    const { deps: d, calls, logged } = deps();
    const foreign = { ...topFrame, processId: 99 };
    const reply = await handleHostInvoke(d, methodChannel('stats.get'), eventFrom(foreign), {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    expect(calls).toEqual([]);
    expect(logged[0]).toMatchObject({ level: 'warn' });
  });

  it('refuses invalid params with the field named, before the host sees them', async () => {
    const { deps: d, calls } = deps();
    const reply = await handleHostInvoke(d, methodChannel('events.list'), eventFrom(topFrame), { limit: 100_000 });
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PARAMS', message: expect.stringContaining('limit') },
    });
    const notAnObject = await handleHostInvoke(d, methodChannel('approvals.decide'), eventFrom(topFrame), 'approve');
    expect(notAnObject).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(calls).toEqual([]);
  });

  it('passes parsed params (with defaults) to the host and returns its value', async () => {
    const { deps: d, calls } = deps();
    const reply = await handleHostInvoke(d, methodChannel('events.list'), eventFrom(topFrame), {
      type: 'chat.message.v1',
    });
    expect(reply).toEqual({ ok: true, value: { method: 'events.list' } });
    expect(calls).toEqual([{ method: 'events.list', params: { limit: 100, type: 'chat.message.v1' } }]);
  });

  it('keeps the code of a host error', async () => {
    const { deps: d } = deps();
    const reply = await handleHostInvoke(d, methodChannel('rules.delete'), eventFrom(topFrame), { id: 'r1' });
    expect(reply).toEqual({ ok: false, error: { code: 'RULE_IN_USE', message: 'rule is in use' } });
  });
});

describe('registerHostIpc', () => {
  it('registers one handler per method and removes them all', async () => {
    const handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>>();
    const ipcMain: IpcMainLike = {
      handle: (channel, listener) => {
        if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
        handlers.set(channel, listener);
      },
      removeHandler: (channel) => handlers.delete(channel),
    };
    const { deps: d } = deps();
    const dispose = registerHostIpc(ipcMain, d);
    expect([...handlers.keys()]).toEqual(METHOD_CHANNELS);
    expect(handlers.size).toBe(HOST_METHODS.length);

    // The preload's bridge against these handlers: the whole IPC path minus Electron.
    const bridge = createDesktopBridge({
      invoke: async (channel, ...args) => {
        const handler = handlers.get(channel);
        if (!handler) throw new Error(`No handler registered for '${channel}'`);
        return handler({ senderFrame: topFrame } as unknown as IpcMainInvokeEvent, ...args);
      },
      on: () => undefined,
      removeListener: () => undefined,
    });
    await expect(bridge.call('health.get', {})).resolves.toEqual({ method: 'health.get' });
    await expect(bridge.call('events.get', { id: '' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });

    dispose();
    expect(handlers.size).toBe(0);
  });
});

describe('forwardHostPushes', () => {
  it('sends pushes on the topic channels and drops them while there is no live window', () => {
    let listener: HostPushListener | null = null;
    const host = {
      subscribe: (next: HostPushListener) => {
        listener = next;
        return () => {
          listener = null;
        };
      },
    };
    const sent: unknown[][] = [];
    let destroyed = false;
    let hasWindow = true;
    const unsubscribe = forwardHostPushes(host, () =>
      hasWindow ? { isDestroyed: () => destroyed, send: (...args: unknown[]) => sent.push(args) } : null,
    );
    const push = <T extends HostTopic>(topic: T, data: HostPushes[T]) => listener!(topic, data);
    push('feed', []);
    destroyed = true;
    push('feed', []);
    destroyed = false;
    hasWindow = false;
    push('approvals', []);
    expect(sent).toEqual([[topicChannel('feed'), []]]);
    unsubscribe();
    expect(listener).toBeNull();
  });
});
