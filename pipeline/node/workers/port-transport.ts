/**
 * The RPC transport over a worker MessagePort (or `parentPort`). Messages that are not RPC
 * messages (port hand-overs from the host) are passed to `onOther`.
 */
import type { MessagePort } from 'node:worker_threads';
import type { WorkerRole } from '../../core/protocol/pipeline.js';
import type { RpcMessage, Transport } from '../../core/rpc.js';

/** A MessagePort, `parentPort` or a Worker seen from the host: all three deliver 'message' events. */
interface PortLike {
  postMessage(value: unknown): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
}

const RPC_TYPES = new Set(['request', 'response', 'push', 'log', 'cancel']);

export function isRpcMessage(value: unknown): value is RpcMessage {
  return typeof value === 'object' && value !== null && RPC_TYPES.has((value as { type?: unknown }).type as string);
}

export function portTransport(port: PortLike, onOther?: (message: unknown) => void): Transport {
  let receiver: ((message: RpcMessage) => void) | undefined;
  const listener = (message: unknown) => {
    if (isRpcMessage(message)) receiver?.(message);
    else onOther?.(message);
  };
  port.on('message', listener);
  return {
    send: (message) => port.postMessage(message),
    onMessage(receive) {
      receiver = receive;
      return () => {
        receiver = undefined;
        port.off('message', listener);
      };
    },
  };
}

/** A port handed from the host to a worker after start-up (a worker was restarted). */
export interface PortHandover {
  kind: 'port';
  /** Which link: `router`, `store`, or a phase name seen from the router. */
  link: WorkerRole;
  port: MessagePort;
}

export function isPortHandover(value: unknown): value is PortHandover {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'port';
}
