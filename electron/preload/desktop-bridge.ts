/**
 * The object the preload hands to the page as `window.bitbrat`: the renderer's `Bridge`
 * (pipeline/core/bridge.ts) over Electron IPC. `call` and `subscribe` accept only names from
 * HOST_METHODS / HOST_TOPICS (each maps to its own channel; anything else is refused before it
 * reaches IPC), so the page can never address an arbitrary channel, and it never sees
 * `ipcRenderer` or an IPC event object
 * (https://www.electronjs.org/docs/latest/tutorial/context-isolation#security-considerations).
 */
import { HOST_METHODS, HOST_TOPICS, type HostMethod, type HostTopic } from '../../pipeline/core/host-api.js';
import type { Bridge, ConnectionStatus } from '../../pipeline/core/bridge.js';
import { methodChannel, topicChannel, type IpcReply } from './ipc-channels.js';

/** The narrow part of Electron's `ipcRenderer` the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** An error thrown in the page when the host refuses or fails a call; `code` survives IPC. */
export class BridgeCallError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'BridgeCallError';
  }
}

/** What decisions made in the desktop window record as their console. */
export const DESKTOP_CONSOLE_ID = 'desktop';

/** The global name the page finds the bridge under (renderer/bridge/window-global.ts declares `window.bitbrat`). */
export const BRIDGE_GLOBAL = 'bitbrat';

function isIpcReply(value: unknown): value is IpcReply {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

export function createDesktopBridge(ipc: IpcRendererLike): Bridge {
  const methodChannels = new Map<string, string>(
    HOST_METHODS.map((method: HostMethod) => [method, methodChannel(method)]),
  );
  const topicChannels = new Map<string, string>(HOST_TOPICS.map((topic: HostTopic) => [topic, topicChannel(topic)]));

  const call = async (method: string, params: unknown): Promise<unknown> => {
    const channel = methodChannels.get(method);
    if (!channel) throw new BridgeCallError(`unknown method "${String(method).slice(0, 60)}"`, 'UNKNOWN_METHOD');
    const reply = await ipc.invoke(channel, params);
    if (!isIpcReply(reply)) throw new BridgeCallError(`malformed reply to ${method}`, 'HOST_ERROR');
    if (!reply.ok) throw new BridgeCallError(reply.error.message, reply.error.code);
    return reply.value;
  };

  const subscribe = (topic: string, listener: (data: unknown) => void): (() => void) => {
    const channel = topicChannels.get(topic);
    if (!channel) throw new BridgeCallError(`unknown topic "${String(topic).slice(0, 60)}"`, 'UNKNOWN_TOPIC');
    if (typeof listener !== 'function') throw new TypeError(`subscribe("${topic}") needs a listener function`);
    // Wrapped so the IpcRendererEvent (which carries `sender`, i.e. ipcRenderer) never reaches the page.
    const wrapped = (_event: unknown, data: unknown) => listener(data);
    ipc.on(channel, wrapped);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipc.removeListener(channel, wrapped);
    };
  };

  const bridge = {
    call: call as Bridge['call'],
    subscribe: subscribe as Bridge['subscribe'],
    // IPC to the main process does not drop while the window exists: always open, never a change.
    status: (): ConnectionStatus => 'open',
    onStatus: () => () => {},
    consoleId: DESKTOP_CONSOLE_ID,
  } satisfies Bridge;
  return Object.freeze(bridge);
}
