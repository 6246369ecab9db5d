/**
 * Collects items and hands them on in one batch per turn of the event loop: one message across a
 * port instead of one per item, which is what keeps a flood cheap on a MessageChannel.
 */
export function batchPerTick<T>(flush: (items: T[]) => void): (item: T) => void {
  let items: T[] = [];
  return (item) => {
    if (items.length === 0) {
      setImmediate(() => {
        const batch = items;
        items = [];
        flush(batch);
      });
    }
    items.push(item);
  };
}

/**
 * Like `batchPerTick`, for writes nobody waits on (user records, memory, usage): collected for up
 * to `ms` so that at a thousand events a second they cost a message and a commit every few
 * milliseconds, not one per event.
 */
export function batchWithin<T>(ms: number, flush: (items: T[]) => void): (item: T) => void {
  let items: T[] = [];
  return (item) => {
    if (items.length === 0) {
      setTimeout(() => {
        const batch = items;
        items = [];
        flush(batch);
      }, ms);
    }
    items.push(item);
  };
}
