/**
 * The store worker: the single SQLite writer. Serves the store protocol on its control line and
 * on every port other workers were given to it, so every writer shares one batching queue and
 * one transaction per flush. Message search is indexed by the writer in batches of their own, off
 * the pipeline's commits (store/search-index.ts).
 */
import type { MessagePort } from 'node:worker_threads';
import type { StoreProtocol } from '../../core/protocol/store.js';
import { createPeer, type Protocol, type RequestHandlers } from '../../core/rpc.js';
import { startCheckpointThread } from '../store/checkpointer.js';
import { openWriteConnection } from '../store/database.js';
import { createStoreWriter } from '../store/writer.js';
import { portTransport } from './port-transport.js';
import type { WorkerContext } from './worker-context.js';

export function runStoreWorker(context: WorkerContext<'store'>): void {
  const db = openWriteConnection(context.init.dbPath);
  // Every op's applier (core, LLM, gateway, features) comes from the one registry: store/op-registry.ts.
  const writer = createStoreWriter(db, { log: context.log });
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
