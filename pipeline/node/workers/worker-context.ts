/**
 * What every worker has: its control line to the host (ping, drain, role requests, log), the
 * ports the host handed it, and a way to accept replacement ports after a restart.
 */
import { readlinkSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { WorkerControlProtocol, WorkerInit, WorkerThreadInfo } from '../../core/protocol/pipeline.js';
import { createPeer, type LogLevel, type Peer, type Protocol, type RequestHandlers } from '../../core/rpc.js';
import { isPortHandover, portTransport } from './port-transport.js';

export interface WorkerStartData {
  init: WorkerInit;
  ports: Record<string, MessagePort>;
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
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  /** Serves the control requests this role answers; `ping` and `threadInfo` are answered for every role. */
  serve(handlers: Partial<RequestHandlers<WorkerControlProtocol>>): void;
  /** Called when the host hands over a replacement port for `link`. */
  onPort(listener: (link: string, port: MessagePort) => void): void;
}

export function createWorkerContext(): WorkerContext {
  if (!parentPort) throw new Error('worker code must run in a worker thread');
  const data = workerData as WorkerStartData;
  const portListeners: ((link: string, port: MessagePort) => void)[] = [];
  // One handler table, filled in by `serve`; the peer keeps a reference to it.
  const handlers: Partial<RequestHandlers<WorkerControlProtocol>> = { ping: () => Date.now(), threadInfo };
  const transport = portTransport(parentPort, (message) => {
    if (isPortHandover(message)) for (const listener of portListeners) listener(message.link, message.port);
  });
  const host = createPeer<WorkerControlProtocol, HostControlProtocol>(transport, { handlers });
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>) =>
    host.log(level, message, { role: data.init.role, ...fields });
  return {
    init: data.init,
    ports: data.ports,
    host,
    log,
    serve(next) {
      Object.assign(handlers, next);
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
