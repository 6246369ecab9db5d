/**
 * The one entry of every pipeline worker thread; `workerData.init.role` says which it is.
 * Bundled to dist/worker.js.
 *
 * Each role imports only its own runner, when it starts: esbuild turns these dynamic imports into
 * lazily initialised modules inside the one bundle, so the store's isolate never evaluates the LLM
 * client or the Twitch libraries, and the router's never evaluates the connectors (`bitbrat bench`
 * reports each isolate's heap). Phase workers go further: each phase loads only its own services.
 */
import { createWorkerContext, type AnyWorkerContext } from './worker-context.js';

const context = createWorkerContext();

async function start(context: AnyWorkerContext): Promise<void> {
  // Narrowing on the role gives each runner the context of its own role's protocol.
  switch (context.role) {
    case 'store':
      (await import('./store-worker.js')).runStoreWorker(context);
      break;
    case 'router':
      (await import('./router-worker.js')).runRouterWorker(context);
      break;
    case 'ingress':
      (await import('./ingress-worker.js')).runIngressWorker(context);
      break;
    case 'enrichment':
    case 'reaction':
    case 'egress':
      await (await import('./phase-worker.js')).runPhaseWorker(context, context.role);
      break;
  }
}

start(context).then(
  () => context.host.push('ready', context.init.role),
  (error: unknown) => {
    // Start-up failed: say why on the control line; the host rejects its pending start.
    context.log(
      'error',
      `the ${context.init.role} worker could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    // Fail the thread as a synchronous throw did, so the supervisor sees the worker exit.
    setImmediate(() => {
      throw error;
    });
  },
);
