/**
 * Lets the host's event loop in during long work on its thread (bulk reads, replay): the gateway,
 * IPC and supervision are served on this thread, and `await` on a settled promise alone never
 * lets timers or sockets in. By time, not by count: one read of an event with a long slip costs
 * far more than one JSON line.
 */

/** Work at a stretch before the event loop gets a turn. */
export const TURN_AFTER_MS = 10;

/**
 * A checkpoint to call between items: `undefined` (go on at once) until `budgetMs` of work has
 * passed since the last turn, then a promise that resolves after the event loop had one.
 */
export function turnTaker(budgetMs = TURN_AFTER_MS): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < budgetMs) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        since = performance.now();
        resolve();
      }),
    );
  };
}
