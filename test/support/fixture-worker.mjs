// A stand-in pipeline worker for the supervisor's tests: it speaks the real control protocol
// (ready push, ping, drain) and can be told to hang or crash, so supervision is tested with real
// threads without depending on any pipeline role.
import { parentPort, threadId, workerData } from 'node:worker_threads';

const role = workerData.init.role;
// The heartbeat every worker keeps (pipeline/node/workers/heartbeat.ts): a counter bumped from
// this thread's event loop, read by the supervisor from shared memory.
const heartbeat = new Int32Array(workerData.heartbeat);
setInterval(() => Atomics.add(heartbeat, 0, 1), 50).unref();
const restartedPhases = [];
parentPort.on('message', (message) => {
  if (message?.type !== 'request') return;
  const reply = (result) => parentPort.postMessage({ type: 'response', id: message.id, result });
  switch (message.method) {
    case 'ping':
      return reply(Date.now());
    case 'drain':
    case 'flush':
    case 'resume':
      return reply(0);
    case 'phaseRestarted':
      restartedPhases.push(message.params.phase);
      return reply(0);
    case 'stats':
      return reply({ role, restartedPhases });
    case 'submit':
      // Answers late, so a test can restart this worker while the call is in flight.
      setTimeout(() => reply([{ ok: true, id: `${role}-${threadId}` }]), message.params.delayMs ?? 0);
      return;
    case 'load':
      if (message.params.hang) for (;;);
      if (message.params.crash) throw new Error('crash requested by the test');
      return reply(0);
    default:
      parentPort.postMessage({ type: 'response', id: message.id, error: { name: 'Error', message: 'unknown' } });
  }
});
// A data folder named `.../fail-start:<role>` makes that role fail before it is ready (the
// supervisor's start-up failure test); every other role starts normally and keeps running.
if (workerData.init.dataDir.endsWith(`fail-start:${role}`)) throw new Error(`${role} failed to start (requested)`);
parentPort.postMessage({ type: 'push', topic: 'ready', data: role });
