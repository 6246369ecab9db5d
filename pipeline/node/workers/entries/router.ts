/** The router worker's entry: dist/workers/router.js (see ../worker-main.ts). */
import { startWorker } from '../worker-main.js';

startWorker('router', async (context) => (await import('../router-worker.js')).runRouterWorker(context));
