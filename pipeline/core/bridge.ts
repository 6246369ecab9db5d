/**
 * The console's only door to a host: what the renderer calls and what each implementation provides.
 * Everything here is derived from the HostApi contract (host-api.ts): a method or topic name is
 * written once, there.
 *
 * Two implementations: the Electron preload exposes `window.bitbrat` over IPC
 * (electron/preload/desktop-bridge.ts), and the browser console uses the WebSocket bridge
 * (renderer/bridge/ws-bridge.ts). The renderer never knows which one it has. It lives in core because
 * both the preload and the renderer implement or use it, and neither may import the other.
 */
import type { HostApi, HostMethod, HostPushes, HostTopic } from './host-api.js';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

export type HostParams<K extends HostMethod> = Parameters<HostApi[K]>[0];

export interface Bridge {
  call<K extends HostMethod>(method: K, params: HostParams<K>): ReturnType<HostApi[K]>;
  subscribe<T extends HostTopic>(topic: T, listener: (data: HostPushes[T]) => void): () => void;
  status(): ConnectionStatus;
  /**
   * Called on every status change. `detail` says why a connection is closed in words a moderator
   * understands (e.g. the token was refused); null otherwise. 'open' is also reported after a
   * reconnect: listeners re-fetch their state then, because pushes sent while closed are lost.
   */
  onStatus(listener: (status: ConnectionStatus, detail: string | null) => void): () => void;
  /** Which console this is, as recorded with decisions: 'desktop', or the browser tab's session id. */
  readonly consoleId: string;
}
