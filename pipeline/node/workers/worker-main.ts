/**
 * The one entry of every pipeline worker thread; `workerData.init.role` says which it is.
 * Bundled to dist/worker.js.
 */
import { runIngressWorker } from './ingress-worker.js';
import { runPhaseWorker } from './phase-worker.js';
import { runRouterWorker } from './router-worker.js';
import { runStoreWorker } from './store-worker.js';
import { createWorkerContext } from './worker-context.js';

const context = createWorkerContext();
try {
  switch (context.init.role) {
    case 'store':
      runStoreWorker(context);
      break;
    case 'router':
      runRouterWorker(context);
      break;
    case 'ingress':
      runIngressWorker(context);
      break;
    case 'enrichment':
    case 'reaction':
    case 'egress':
      runPhaseWorker(context, context.init.role);
      break;
  }
  context.host.push('ready', context.init.role);
} catch (error) {
  // Start-up failed: say why on the control line; the host rejects its pending start.
  context.log(
    'error',
    `the ${context.init.role} worker could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  throw error;
}
