/** The store worker's entry: dist/workers/store.js (see ../worker-main.ts). */
import { startWorker } from '../worker-main.js';

startWorker('store', async (context) => (await import('../store-worker.js')).runStoreWorker(context));
