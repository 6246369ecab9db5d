/**
 * Worker liveness that a busy host thread cannot fake or spoil. Each worker bumps a counter in a
 * SharedArrayBuffer from its own event loop; the supervisor reads it with Atomics. A worker whose
 * loop is stuck (a runaway regex, a blocking library call) stops counting; a host thread that is
 * busy for seconds (a large read, a parse) just reads the counter late and sees it moved. Pings
 * over the control line could not tell those apart: a pong waits for the host to process it.
 */

/** How often each worker bumps its counter. */
export const HEARTBEAT_MS = 50;

export function createHeartbeatSlot(): SharedArrayBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
}

/** Worker side: counts from this thread's event loop until the thread ends. */
export function startHeartbeat(slot: SharedArrayBuffer): void {
  const counter = new Int32Array(slot);
  const beat = () => Atomics.add(counter, 0, 1);
  beat();
  // unref: the heartbeat must never be what keeps a finished worker alive.
  setInterval(beat, HEARTBEAT_MS).unref();
}

/** Supervisor side: the counter's current value (it only ever changes while the worker is alive). */
export function readHeartbeat(slot: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(slot), 0);
}
