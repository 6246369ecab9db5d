/** The ingress worker's entry: dist/workers/ingress.js (see ../worker-main.ts). */
import { startWorker } from '../worker-main.js';

startWorker('ingress', async (context) => (await import('../ingress-worker.js')).runIngressWorker(context));
