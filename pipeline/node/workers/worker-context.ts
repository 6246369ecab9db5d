/**
 * What every worker has: its control line to the host (ping, drain, role requests, log), the
 * ports the host handed it, and a way to accept replacement ports after a restart.
 */
import { readlinkSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type {
  HostControlProtocol,
  RoleProtocol,
  WorkerInit,
  WorkerRole,
  WorkerThreadInfo,
} from '../../core/protocol/pipeline.js';
import { createRedactor, type Redactor } from '../../core/redaction.js';
import { createPeer, type LogLevel, type Peer, type Protocol, type RequestHandlers } from '../../core/rpc.js';
import { startHeartbeat } from './heartbeat.js';
import { isPortHandover, portTransport } from './port-transport.js';

export interface WorkerStartData {
  init: WorkerInit;
  /** One port per worker this role talks to directly (the supervisor's LINKS). */
  ports: WorkerPorts;
  /** This worker's heartbeat counter, shared with the supervisor (see heartbeat.ts). */
  heartbeat: SharedArrayBuffer;
}

export type WorkerPorts = Partial<Record<WorkerRole, MessagePort>>;

/** The control requests a role's worker file serves: all of its role's, except the two every worker answers here. */
export type RoleHandlers<R extends WorkerRole> = Omit<RequestHandlers<RoleProtocol[R]>, 'ping' | 'threadInfo'>;

export interface WorkerContext<R extends WorkerRole = WorkerRole> {
  role: R;
  init: WorkerInit & { role: R };
  ports: WorkerPorts;
  /** Pushes and logs to the host. */
  host: Peer<HostControlProtocol>;
  /** Every log line passes the redactor; so must every error this worker turns into text. */
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  /** This worker's secrets (registered as the host pushes them: LLM key, Twitch tokens). */
  redactor: Redactor;
  /** Serves this role's control requests, every one of them, in one call. */
  serve(handlers: RoleHandlers<R>): void;
  /** Called when the host hands over a replacement port for `link`. */
  onPort(listener: (link: WorkerRole, port: MessagePort) => void): void;
}

/** The context of whichever role this thread runs: `switch (context.role)` narrows it. */
export type AnyWorkerContext = { [R in WorkerRole]: WorkerContext<R> }[WorkerRole];

/** Every control request of every role, by name: what `secretsIn` keys are checked against. */
type AnyControlRequests = { [R in WorkerRole]: (x: RoleProtocol[R]['requests']) => void }[WorkerRole] extends (
  x: infer I,
) => void
  ? I
  : never;

export function createWorkerContext(): AnyWorkerContext {
  if (!parentPort) throw new Error('worker code must run in a worker thread');
  const data = workerData as WorkerStartData;
  startHeartbeat(data.heartbeat);
  const portListeners: ((link: WorkerRole, port: MessagePort) => void)[] = [];
  // One handler table, filled in by `serve`; the peer keeps a reference to it.
  type AnyHandler = (params: never, signal: AbortSignal) => unknown;
  const handlers: Record<string, AnyHandler> = { ping: () => Date.now(), threadInfo };
  const transport = portTransport(parentPort, (message) => {
    if (isPortHandover(message)) for (const listener of portListeners) listener(message.link, message.port);
  });
  const host = createPeer<Protocol, HostControlProtocol>(transport, { handlers });
  const redactor = createRedactor();
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>) =>
    host.log(level, redactor.redact(message), redactor.redactValue({ role: data.init.role, ...fields }));
  // Secrets the host pushes are registered before the role's handler sees them.
  const secretsIn: {
    [K in 'llmApiKey' | 'twitch' | 'discord']: (params: Parameters<AnyControlRequests[K]>[0]) => void;
  } = {
    llmApiKey: ({ apiKey }) => redactor.set('LLM API key', apiKey),
    twitch: (config) => {
      redactor.set('Twitch bot token', config?.bot?.accessToken);
      redactor.set('Twitch broadcaster token', config?.broadcaster?.accessToken);
    },
    discord: (config) => redactor.set('Discord bot token', config?.token),
  };
  const context: WorkerContext = {
    role: data.init.role,
    init: data.init,
    ports: data.ports,
    host,
    log,
    redactor,
    serve(next) {
      for (const [method, handler] of Object.entries(next) as [string, AnyHandler][]) {
        const register = Object.hasOwn(secretsIn, method)
          ? (secretsIn[method as keyof typeof secretsIn] as (params: never) => void)
          : undefined;
        handlers[method] = register
          ? (params, signal) => {
              register(params);
              return handler(params, signal);
            }
          : handler;
      }
    },
    onPort(listener) {
      portListeners.push(listener);
    },
  };
  // `role` and `init.role` are the same value, so this context is the one of its role.
  return context as AnyWorkerContext;
}

/** This thread's id (Linux: /proc/thread-self → "<pid>/task/<tid>") and its isolate's heap. */
export function threadInfo(): WorkerThreadInfo {
  let tid: number | null = null;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1)) || null;
  } catch {
    // Not Linux: CPU per thread is not available, the heap still is.
  }
  const heap = getHeapStatistics();
  return { tid, heapUsedBytes: heap.used_heap_size, heapTotalBytes: heap.total_heap_size };
}
