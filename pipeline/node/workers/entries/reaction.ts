/** The reaction worker's entry: dist/workers/reaction.js (see ../worker-main.ts). */
import { startWorker } from '../worker-main.js';

startWorker('reaction', async (context) => (await import('../phase-worker.js')).runPhaseWorker(context));
