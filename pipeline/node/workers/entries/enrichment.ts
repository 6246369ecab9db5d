/** The enrichment worker's entry: dist/workers/enrichment.js (see ../worker-main.ts). */
import { startWorker } from '../worker-main.js';

startWorker('enrichment', async (context) => (await import('../phase-worker.js')).runPhaseWorker(context));
