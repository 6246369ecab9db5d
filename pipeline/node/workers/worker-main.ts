/**
 * How every pipeline worker thread starts; each role has its own entry (`entries/<role>.ts`, bundled
 * to dist/workers/<role>.js by scripts/worker-build.mjs) that names the role and how to load its runner.
 *
 * One bundle per role, with the code the roles share split into chunks: an isolate parses only the
 * modules its role imports, so the store's and the router's never see the LLM client, discord.js or
 * the Twitch libraries (electron/main/worker-bundle.test.ts checks it from the esbuild metafile).
 * The runner is imported dynamically, after the control line exists, so a module that fails to
 * load is reported on that line. Phase workers go further: each phase loads only its own services.
 */
import type { WorkerRole } from '../../core/protocol/pipeline.js';
import { createWorkerContext, type WorkerContext } from './worker-context.js';

export function startWorker<R extends WorkerRole>(role: R, run: (context: WorkerContext<R>) => Promise<void>): void {
  const context = createWorkerContext();
  const started =
    context.role === role
      ? // The check above is what makes this the context of the entry's own role.
        run(context as WorkerContext<R>)
      : Promise.reject(new Error(`the ${context.init.role} worker was started from the ${role} entry`));
  started.then(
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
}
