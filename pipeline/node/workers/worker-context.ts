/**
 * What every worker has: its control line to the host (ping, drain, role requests, log), the
 * ports the host handed it, and a way to accept replacement ports after a restart.
 */
import { readlinkSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { WorkerControlProtocol, WorkerInit, WorkerThreadInfo } from '../../core/protocol/pipeline.js';
import { createRedactor, type Redactor } from '../../core/redaction.js';
import { createPeer, type LogLevel, type Peer, type Protocol, type RequestHandlers } from '../../core/rpc.js';
import { startHeartbeat } from './heartbeat.js';
import { isPortHandover, portTransport } from './port-transport.js';

export interface WorkerStartData {
  init: WorkerInit;
  ports: Record<string, MessagePort>;
  /** This worker's heartbeat counter, shared with the supervisor (see heartbeat.ts). */
  heartbeat: SharedArrayBuffer;
}

/** The host side of a worker's control line answers nothing; it receives pushes and logs. */
export interface HostControlProtocol extends Protocol {
  requests: Record<string, never>;
  pushes: WorkerControlProtocol['pushes'];
}

export interface WorkerContext {
  init: WorkerInit;
  ports: Record<string, MessagePort>;
  /** Pushes and logs to the host. */
  host: Peer<HostControlProtocol>;
  /** Every log line passes the redactor; so must every error this worker turns into text. */
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  /** This worker's secrets (registered as the host pushes them: LLM key, Twitch tokens). */
  redactor: Redactor;
  /** Serves the control requests this role answers; `ping` and `threadInfo` are answered for every role. */
  serve(handlers: Partial<RequestHandlers<WorkerControlProtocol>>): void;
  /** Called when the host hands over a replacement port for `link`. */
  onPort(listener: (link: string, port: MessagePort) => void): void;
}

export function createWorkerContext(): WorkerContext {
  if (!parentPort) throw new Error('worker code must run in a worker thread');
  const data = workerData as WorkerStartData;
  startHeartbeat(data.heartbeat);
  const portListeners: ((link: string, port: MessagePort) => void)[] = [];
  // One handler table, filled in by `serve`; the peer keeps a reference to it.
  const handlers: Partial<RequestHandlers<WorkerControlProtocol>> = { ping: () => Date.now(), threadInfo };
  const transport = portTransport(parentPort, (message) => {
    if (isPortHandover(message)) for (const listener of portListeners) listener(message.link, message.port);
  });
  const host = createPeer<WorkerControlProtocol, HostControlProtocol>(transport, { handlers });
  const redactor = createRedactor();
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>) =>
    host.log(level, redactor.redact(message), redactor.redactValue({ role: data.init.role, ...fields }));
  // Secrets the host pushes are registered before the role's handler sees them.
  const secretsIn: Partial<{
    [K in keyof WorkerControlProtocol['requests']]: (
      params: Parameters<WorkerControlProtocol['requests'][K]>[0],
    ) => void;
  }> = {
    llmApiKey: ({ apiKey }) => redactor.set('LLM API key', apiKey),
    twitch: (config) => {
      redactor.set('Twitch bot token', config?.bot?.accessToken);
      redactor.set('Twitch broadcaster token', config?.broadcaster?.accessToken);
    },
    discord: (config) => redactor.set('Discord bot token', config?.token),
  };
  return {
    init: data.init,
    ports: data.ports,
    host,
    log,
    redactor,
    serve(next) {
      type AnyHandler = (params: never, signal: AbortSignal) => unknown;
      for (const [method, handler] of Object.entries(next) as unknown as [string, AnyHandler][]) {
        const register = (secretsIn as Record<string, ((params: never) => void) | undefined>)[method];
        (handlers as Record<string, AnyHandler>)[method] = register
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
