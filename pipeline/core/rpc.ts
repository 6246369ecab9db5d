/**
 * Request / response / push / log / cancel over any message transport.
 *
 * The transport is separate from the RPC (as in VS Code's IChannel): the same peer runs over a
 * worker MessagePort, a WebSocket in the browser console, or an in-memory pair in tests.
 * A protocol is a TypeScript type naming each request (params → result) and each push; both ends
 * are typed from that one declaration, so no method name is a free-floating string.
 */

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

export type RpcMessage =
  | { type: 'request'; id: number; method: string; params: unknown }
  | { type: 'response'; id: number; result?: unknown; error?: SerializedError }
  | { type: 'push'; topic: string; data: unknown }
  | { type: 'log'; level: LogLevel; message: string; fields?: Record<string, unknown> }
  | { type: 'cancel'; id: number };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Every RpcMessage type (a Record, so adding one to the union without listing it here fails to compile). */
const RPC_TYPES: Record<RpcMessage['type'], true> = {
  request: true,
  response: true,
  push: true,
  log: true,
  cancel: true,
};
/** For code that checks frames from a network before they reach a peer. */
export const RPC_MESSAGE_TYPES = Object.keys(RPC_TYPES) as readonly RpcMessage['type'][];

/** A protocol: the requests a side answers and the pushes it may receive. */
export interface Protocol {
  requests: Record<string, (params: never) => unknown>;
  pushes: Record<string, unknown>;
}

export interface Transport {
  send(message: RpcMessage): void;
  /** Registers the one receiver; returns a function that unregisters it. */
  onMessage(receive: (message: RpcMessage) => void): () => void;
}

/** An error with a stable code, carried across the boundary intact. */
export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CodedError';
  }
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}

export function deserializeError(error: SerializedError): Error {
  const result = error.code ? new CodedError(error.code, error.message) : new Error(error.message);
  result.name = error.name;
  if (error.stack) result.stack = error.stack;
  return result;
}

type Params<P extends Protocol, K extends keyof P['requests']> = Parameters<P['requests'][K]>[0];
type Result<P extends Protocol, K extends keyof P['requests']> = Awaited<ReturnType<P['requests'][K]>>;

export type RequestHandlers<P extends Protocol> = {
  [K in keyof P['requests']]: (params: Params<P, K>, signal: AbortSignal) => Result<P, K> | Promise<Result<P, K>>;
};

export type PushHandlers<P extends Protocol> = {
  [K in keyof P['pushes']]?: (data: P['pushes'][K]) => void;
};

export interface PeerOptions<Local extends Protocol> {
  /** Requests this side answers. Unknown methods are refused with code `UNKNOWN_METHOD`. */
  handlers?: Partial<RequestHandlers<Local>>;
  /** Pushes this side receives. */
  pushes?: PushHandlers<Local>;
  /** Validates params before a handler runs (zod at an outside boundary); throws to refuse. */
  validate?: (method: string, params: unknown) => unknown;
  onLog?: (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;
}

export interface Peer<Remote extends Protocol> {
  call<K extends keyof Remote['requests'] & string>(
    method: K,
    params: Params<Remote, K>,
    options?: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<Result<Remote, K>>;
  push<K extends keyof Remote['pushes'] & string>(topic: K, data: Remote['pushes'][K]): void;
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  /** Rejects every pending call (the other side is gone) and stops listening. */
  close(reason?: string): void;
  readonly pendingCount: number;
}

/**
 * Creates one side of a connection. `Local` is what this side serves, `Remote` what the other
 * side serves.
 */
/** The signal given to a handler that cannot be cancelled (it does not take one). */
const NEVER_ABORTED = new AbortController().signal;

export function createPeer<Local extends Protocol, Remote extends Protocol>(
  transport: Transport,
  options: PeerOptions<Local> = {},
): Peer<Remote> {
  let nextId = 1;
  let closed: string | undefined;
  const pending = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  const running = new Map<number, AbortController>();
  const handlers = (options.handlers ?? {}) as Record<string, (params: unknown, signal: AbortSignal) => unknown>;
  const pushHandlers = (options.pushes ?? {}) as Record<string, ((data: unknown) => void) | undefined>;

  const answer = async (id: number, method: string, params: unknown): Promise<void> => {
    const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
    // A handler that does not take the signal cannot be cancelled: no AbortController for it (the
    // store answers thousands of writes a second, each would make one for nothing).
    const controller = handler && handler.length >= 2 ? new AbortController() : undefined;
    if (controller) running.set(id, controller);
    try {
      if (!handler) throw new CodedError('UNKNOWN_METHOD', `unknown method "${method}"`);
      const checked = options.validate ? options.validate(method, params) : params;
      const result = await handler(checked, controller?.signal ?? NEVER_ABORTED);
      if (!closed) transport.send({ type: 'response', id, result });
    } catch (error) {
      if (!closed) transport.send({ type: 'response', id, error: serializeError(error) });
    } finally {
      if (controller) running.delete(id);
    }
  };

  const unsubscribe = transport.onMessage((message) => {
    switch (message.type) {
      case 'request':
        void answer(message.id, message.method, message.params);
        return;
      case 'response': {
        const call = pending.get(message.id);
        if (!call) return;
        pending.delete(message.id);
        if (message.error) call.reject(deserializeError(message.error));
        else call.resolve(message.result as never);
        return;
      }
      case 'push': {
        const handler = Object.hasOwn(pushHandlers, message.topic) ? pushHandlers[message.topic] : undefined;
        handler?.(message.data);
        return;
      }
      case 'cancel':
        running.get(message.id)?.abort();
        return;
      case 'log':
        options.onLog?.(message.level, message.message, message.fields);
        return;
    }
  });

  return {
    call(method, params, callOptions = {}) {
      if (closed) return Promise.reject(new CodedError('CLOSED', `connection closed: ${closed}`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const settle = () => {
          if (timer) clearTimeout(timer);
          callOptions.signal?.removeEventListener('abort', onAbort);
        };
        const onAbort = () => {
          if (!pending.has(id)) return;
          pending.delete(id);
          settle();
          transport.send({ type: 'cancel', id });
          reject(new CodedError('CANCELLED', `${method} cancelled`));
        };
        pending.set(id, {
          resolve: (value) => {
            settle();
            resolve(value);
          },
          reject: (error) => {
            settle();
            reject(error);
          },
        });
        if (callOptions.timeoutMs !== undefined) {
          timer = setTimeout(() => {
            if (!pending.has(id)) return;
            pending.delete(id);
            settle();
            transport.send({ type: 'cancel', id });
            reject(new CodedError('TIMEOUT', `${method} timed out after ${callOptions.timeoutMs} ms`));
          }, callOptions.timeoutMs);
        }
        if (callOptions.signal?.aborted) return onAbort();
        callOptions.signal?.addEventListener('abort', onAbort, { once: true });
        transport.send({ type: 'request', id, method, params });
      });
    },
    push(topic, data) {
      if (!closed) transport.send({ type: 'push', topic, data });
    },
    log(level, message, fields) {
      if (!closed) transport.send({ type: 'log', level, message, ...(fields ? { fields } : {}) });
    },
    close(reason = 'closed') {
      if (closed) return;
      closed = reason;
      unsubscribe();
      for (const controller of running.values()) controller.abort();
      for (const call of pending.values()) call.reject(new CodedError('CLOSED', `connection closed: ${reason}`));
      pending.clear();
    },
    get pendingCount() {
      return pending.size;
    },
  };
}
