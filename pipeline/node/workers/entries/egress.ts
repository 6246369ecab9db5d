/** The egress worker's entry: dist/workers/egress.js (see ../worker-main.ts). */
import { startWorker } from '../worker-main.js';

startWorker('egress', async (context) => (await import('../phase-worker.js')).runPhaseWorker(context));
