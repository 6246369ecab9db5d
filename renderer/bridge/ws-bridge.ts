/**
 * The browser console's Bridge: the HostApi RPC (pipeline/core/rpc.ts) over one WebSocket to the
 * gateway at /api/ws. The token travels as a subprotocol (`bitbrat.token.T`) because a browser
 * cannot set headers on a WebSocket; the server answers with `bitbrat.v1` or closes with 4401.
 *
 * When the socket drops (the host restarted) it reconnects with backoff and reports 'open' again,
 * so the store re-fetches what it shows; pushes sent while we were away are not replayed.
 *
 * No DOM types here: the socket comes from a factory, so the same code runs over the browser's
 * WebSocket and, in tests, over the `ws` package against a real server.
 */
import type { HostMethod, HostProtocol, HostPushes, HostTopic } from '../../pipeline/core/host-api.js';
import { HOST_TOPICS } from '../../pipeline/core/host-api.js';
import {
  CodedError,
  createPeer,
  RPC_MESSAGE_TYPES,
  type Peer,
  type PushHandlers,
  type RpcMessage,
} from '../../pipeline/core/rpc.js';
import {
  CLOSE_UNAUTHORIZED,
  CONSOLE_WS_PROTOCOL,
  TOKEN_PROTOCOL_PREFIX,
} from '../../pipeline/core/protocol/websocket.js';
import { reconnectDelayMs } from './backoff.js';
import type { Bridge, ConnectionStatus } from '../../pipeline/core/bridge.js';

export interface SocketHandlers {
  onOpen(protocol: string): void;
  onMessage(data: unknown): void;
  onClose(code: number, reason: string): void;
}

export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string, protocols: string[], handlers: SocketHandlers) => SocketLike;

export interface WsBridgeOptions {
  url: string;
  token: string;
  consoleId: string;
  openSocket: SocketFactory;
  callTimeoutMs?: number;
  /** Injected for tests; defaults to the jittered exponential backoff. */
  delayMs?: (attempt: number) => number;
}

export interface WsBridge extends Bridge {
  /** Closes the socket for good (no reconnect). */
  dispose(): void;
}

/**
 * `ConsoleSide` from host-api.ts, restated as a mapped type: `HostPushes` is an interface, and
 * interfaces lack the implicit index signature that rpc.ts's `Protocol` constraint asks for.
 */
export interface ConsoleSide {
  requests: Record<string, never>;
  pushes: { [T in HostTopic]: HostPushes[T] };
}

const MESSAGE_TYPES: ReadonlySet<string> = new Set(RPC_MESSAGE_TYPES);

/** Frames come from the network: anything that is not a well-formed RpcMessage is dropped. */
export function parseFrame(data: unknown): RpcMessage | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const message = value as { type?: unknown; id?: unknown; topic?: unknown };
  if (typeof message.type !== 'string' || !MESSAGE_TYPES.has(message.type)) return null;
  if ((message.type === 'response' || message.type === 'request') && typeof message.id !== 'number') return null;
  if (message.type === 'push' && typeof message.topic !== 'string') return null;
  return value as RpcMessage;
}

export function createWsBridge(options: WsBridgeOptions): WsBridge {
  const callTimeoutMs = options.callTimeoutMs ?? 20_000;
  const delayMs = options.delayMs ?? reconnectDelayMs;
  let status: ConnectionStatus = 'connecting';
  let detail: string | null = null;
  let socket: SocketLike | null = null;
  let peer: Peer<HostProtocol> | null = null;
  let receiver: ((message: RpcMessage) => void) | undefined;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const statusListeners = new Set<(status: ConnectionStatus, detail: string | null) => void>();
  const topicListeners = new Map<HostTopic, Set<(data: never) => void>>(HOST_TOPICS.map((topic) => [topic, new Set()]));

  const setStatus = (next: ConnectionStatus, nextDetail: string | null) => {
    status = next;
    detail = nextDetail;
    for (const listener of [...statusListeners]) listener(status, detail);
  };

  const pushes = Object.fromEntries(
    HOST_TOPICS.map((topic) => [
      topic,
      (data: unknown) => {
        for (const listener of [...(topicListeners.get(topic) ?? [])]) (listener as (data: unknown) => void)(data);
      },
    ]),
  ) as PushHandlers<ConsoleSide>;

  const scheduleReconnect = (why: string) => {
    const wait = delayMs(attempt);
    attempt += 1;
    setStatus('closed', `${why} Retrying in ${Math.max(1, Math.round(wait / 1000))} s.`);
    timer = setTimeout(connect, wait);
  };

  function connect(): void {
    timer = undefined;
    if (disposed) return;
    setStatus('connecting', attempt > 0 ? `Reconnecting (attempt ${attempt + 1})…` : null);
    let opened = false;
    let current: SocketLike | null = null;
    const handlers: SocketHandlers = {
      onOpen(protocol) {
        if (disposed || current !== socket) return;
        if (protocol !== CONSOLE_WS_PROTOCOL) {
          current?.close(1002, 'unsupported protocol');
          return;
        }
        opened = true;
        attempt = 0;
        peer = createPeer<ConsoleSide, HostProtocol>(
          {
            send: (message) => current?.send(JSON.stringify(message)),
            onMessage: (receive) => {
              receiver = receive;
              return () => {
                if (receiver === receive) receiver = undefined;
              };
            },
          },
          { pushes },
        );
        setStatus('open', null);
      },
      onMessage(data) {
        if (current !== socket) return;
        const message = parseFrame(data);
        if (message) receiver?.(message);
      },
      onClose(code, reason) {
        if (current !== socket) return;
        socket = null;
        peer?.close(reason || `socket closed (${code})`);
        peer = null;
        if (disposed) return setStatus('closed', 'Disconnected.');
        if (code === CLOSE_UNAUTHORIZED) {
          return setStatus(
            'closed',
            'The host refused the access token. Open the console with the URL that `bitbrat serve` printed.',
          );
        }
        scheduleReconnect(opened ? 'Connection to the host lost.' : 'The host is not reachable.');
      },
    };
    try {
      current = options.openSocket(options.url, [CONSOLE_WS_PROTOCOL, TOKEN_PROTOCOL_PREFIX + options.token], handlers);
      socket = current;
    } catch (error) {
      setStatus('closed', `Cannot open a connection: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  connect();

  return {
    consoleId: options.consoleId,
    call<K extends HostMethod>(method: K, params: Parameters<HostProtocol['requests'][K]>[0]) {
      if (!peer) {
        return Promise.reject(new CodedError('CLOSED', 'Not connected to the host.')) as ReturnType<
          HostProtocol['requests'][K]
        >;
      }
      return peer.call(method, params, { timeoutMs: callTimeoutMs }) as ReturnType<HostProtocol['requests'][K]>;
    },
    subscribe<T extends HostTopic>(topic: T, listener: (data: HostPushes[T]) => void) {
      const set = topicListeners.get(topic);
      if (!set) throw new Error(`unknown topic "${String(topic)}"`);
      set.add(listener as (data: never) => void);
      return () => {
        set.delete(listener as (data: never) => void);
      };
    },
    status: () => status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => {
        statusListeners.delete(listener);
      };
    },
    dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
      const open = socket;
      socket = null;
      peer?.close('disposed');
      peer = null;
      open?.close(1000, 'console closed');
      setStatus('closed', 'Disconnected.');
    },
  };
}
