/**
 * The store worker: the single SQLite writer. Serves the store protocol on its control line and
 * on every port other workers were given to it, so every writer shares one batching queue and
 * one transaction per flush.
 */
import type { MessagePort } from 'node:worker_threads';
import type { StoreProtocol } from '../../core/protocol/store.js';
import { createPeer, type Protocol, type RequestHandlers } from '../../core/rpc.js';
import { createFeatureStoreAppliers } from '../features/feature-store-appliers.js';
import { createGatewayStoreAppliers } from '../gateway/clients/store-appliers.js';
import { createLlmStoreAppliers } from '../llm/llm-store-appliers.js';
import { startCheckpointThread } from '../store/checkpointer.js';
import { openWriteConnection } from '../store/database.js';
import { createStoreWriter, type StoreApplier } from '../store/writer.js';
import { portTransport } from './port-transport.js';
import type { WorkerContext } from './worker-context.js';

/** Write ops owned by other parts of the app (LLM memory, usage, personas), applied in the batch. */
export function extensionAppliers(log: WorkerContext['log']): Record<string, StoreApplier> {
  return {
    ...createLlmStoreAppliers({
      onInvalid: (op, error) =>
        log('warn', 'dropped an invalid LLM write', { op: String((op as { op?: unknown }).op), error: String(error) }),
    }),
    // Client tokens and webhooks (an invalid op fails its caller's write: admin calls see the error).
    ...createGatewayStoreAppliers(),
    // Counters and quotes (issue 14).
    ...createFeatureStoreAppliers({
      onInvalid: (op, error) => log('warn', 'dropped an invalid counter or quote write', { op, error }),
    }),
  };
}

export function runStoreWorker(context: WorkerContext<'store'>): void {
  const db = openWriteConnection(context.init.dbPath);
  const writer = createStoreWriter(db, { appliers: extensionAppliers(context.log), log: context.log });
  const checkpointer = startCheckpointThread(context.init.dbPath, { log: context.log });
  const handlers: RequestHandlers<StoreProtocol> = {
    write: (batch) => writer.write(batch),
    writeWithin: (params) => writer.writeWithin(params),
    claimDeliveries: (claims) => writer.claimDeliveries(claims),
    flush: () => writer.flush(),
    prune: (params) => writer.prune(params),
  };
  const attach = (port: MessagePort) =>
    createPeer<StoreProtocol, Protocol>(portTransport(port), { handlers, onLog: context.log });
  for (const port of Object.values(context.ports)) attach(port);
  context.onPort((_link, port) => attach(port));
  // The host reaches the store on the control line too (rules, settings, prune); closing is the
  // last step of a graceful shutdown, after every other worker has drained.
  context.serve({
    ...handlers,
    drain: async () => {
      await writer.close();
      await checkpointer.stop();
    },
  });
}
