import { describe, expect, it } from 'vitest';
import { HOST_METHODS, HOST_TOPICS } from '../../pipeline/core/host-api.js';
import { BridgeCallError, createDesktopBridge, type IpcRendererLike } from './desktop-bridge.js';
import {
  METHOD_CHANNELS,
  TOPIC_CHANNELS,
  methodChannel,
  methodForChannel,
  topicChannel,
  type IpcReply,
} from './ipc-channels.js';

type Listener = (event: unknown, ...args: unknown[]) => void;

/** A tiny listener registry with ipcRenderer's on/removeListener semantics (no Node built-ins in this layer). */
class Channels {
  private readonly listeners = new Map<string, Listener[]>();
  on(channel: string, listener: Listener): void {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
  }
  removeListener(channel: string, listener: Listener): void {
    this.listeners.set(
      channel,
      (this.listeners.get(channel) ?? []).filter((known) => known !== listener),
    );
  }
  emit(channel: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(args[0], ...args.slice(1));
  }
  listenerCount(channel: string): number {
    return this.listeners.get(channel)?.length ?? 0;
  }
}

/** An ipcRenderer stand-in: invoke answers from a function, pushes are emitted on the registry. */
function fakeIpc(answer: (channel: string, params: unknown) => IpcReply | unknown) {
  const emitter = new Channels();
  const invoked: { channel: string; params: unknown }[] = [];
  const ipc: IpcRendererLike = {
    invoke: async (channel, params) => {
      invoked.push({ channel, params });
      return answer(channel, params);
    },
    on: (channel, listener) => emitter.on(channel, listener),
    removeListener: (channel, listener) => emitter.removeListener(channel, listener),
  };
  return { ipc, emitter, invoked };
}

describe('IPC channel names', () => {
  it('derives one distinct channel per HostApi method and per push topic', () => {
    expect(METHOD_CHANNELS).toHaveLength(HOST_METHODS.length);
    expect(new Set([...METHOD_CHANNELS, ...TOPIC_CHANNELS]).size).toBe(HOST_METHODS.length + HOST_TOPICS.length);
    for (const method of HOST_METHODS) expect(methodForChannel(methodChannel(method))).toBe(method);
  });

  it('maps no method to channels the contract does not name', () => {
    expect(methodForChannel('bitbrat:call:shell.exec')).toBeNull();
    expect(methodForChannel(topicChannel('feed'))).toBeNull();
    expect(methodForChannel('events.list')).toBeNull();
  });
});

describe('the desktop bridge', () => {
  it('exposes exactly the Bridge surface, and call/subscribe accept every contract name', async () => {
    const { ipc, invoked } = fakeIpc(() => ({ ok: true, value: null }));
    const bridge = createDesktopBridge(ipc);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'consoleId', 'onStatus', 'status', 'subscribe']);
    expect(bridge.consoleId).toBe('desktop');
    expect(bridge.status()).toBe('open');
    expect(Object.isFrozen(bridge)).toBe(true);
    for (const method of HOST_METHODS) {
      await (bridge.call as (method: string, params: unknown) => Promise<unknown>)(method, {});
    }
    expect(invoked.map((call) => call.channel)).toEqual(METHOD_CHANNELS);
    for (const topic of HOST_TOPICS) bridge.subscribe(topic, () => {})();
  });

  it('refuses a method outside the contract before anything reaches IPC', async () => {
    const { ipc, invoked } = fakeIpc(() => ({ ok: true, value: 1 }));
    const bridge = createDesktopBridge(ipc);
    const call = bridge.call as (method: string, params: unknown) => Promise<unknown>;
    await expect(call('shell.exec', {})).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
    await expect(call('__proto__', {})).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
    expect(invoked).toEqual([]);
    expect(() => (bridge.subscribe as (topic: string, listener: () => void) => void)('secrets', () => {})).toThrow(
      BridgeCallError,
    );
  });

  it('returns the value of a successful reply and throws the host error with its code', async () => {
    const { ipc } = fakeIpc((channel) =>
      channel === methodChannel('stats.get')
        ? { ok: true, value: { held: 3 } }
        : { ok: false, error: { code: 'INVALID_PARAMS', message: 'invalid params for events.get: id: too short' } },
    );
    const bridge = createDesktopBridge(ipc);
    await expect(bridge.call('stats.get', {})).resolves.toEqual({ held: 3 });
    const failure = await bridge.call('events.get', { id: '' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BridgeCallError);
    expect(failure).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining('id: too short') });
  });

  it('rejects a reply that is not an envelope', async () => {
    const { ipc } = fakeIpc(() => 'surprise');
    await expect(createDesktopBridge(ipc).call('stats.get', {})).rejects.toMatchObject({ code: 'HOST_ERROR' });
  });

  it('hands listeners the pushed data only, never the IPC event, and unsubscribes', () => {
    const { ipc, emitter } = fakeIpc(() => null);
    const bridge = createDesktopBridge(ipc);
    const received: unknown[][] = [];
    const off = bridge.subscribe('health', (...args: unknown[]) => received.push(args));
    const ipcEvent = { sender: { send: () => {} }, senderId: 0 };
    emitter.emit(topicChannel('health'), ipcEvent, { startedAt: 1 });
    emitter.emit(topicChannel('feed'), ipcEvent, []);
    expect(received).toEqual([[{ startedAt: 1 }]]);
    off();
    off();
    emitter.emit(topicChannel('health'), ipcEvent, { startedAt: 2 });
    expect(received).toHaveLength(1);
    expect(emitter.listenerCount(topicChannel('health'))).toBe(0);
  });
});
