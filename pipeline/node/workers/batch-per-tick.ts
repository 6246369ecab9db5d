/** Collects items and hands them on in one batch when `schedule` runs the flush it was given. */
function batchVia<T>(schedule: (flush: () => void) => void, flush: (items: T[]) => void): (item: T) => void {
  let items: T[] = [];
  return (item) => {
    if (items.length === 0) {
      schedule(() => {
        const batch = items;
        items = [];
        flush(batch);
      });
    }
    items.push(item);
  };
}

/**
 * Collects items and hands them on in one batch per turn of the event loop: one message across a
 * port instead of one per item, which is what keeps a flood cheap on a MessageChannel.
 */
export function batchPerTick<T>(flush: (items: T[]) => void): (item: T) => void {
  return batchVia((run) => setImmediate(run), flush);
}

/**
 * Like `batchPerTick`, for writes nobody waits on (user records, memory, usage): collected for up
 * to `ms` so that at a thousand events a second they cost a message and a commit every few
 * milliseconds, not one per event.
 */
export function batchWithin<T>(ms: number, flush: (items: T[]) => void): (item: T) => void {
  return batchVia((run) => setTimeout(run, ms), flush);
}
