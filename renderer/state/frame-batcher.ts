/**
 * Collects pushes and hands them over at most once per animation frame, so 1,000 events a second
 * cost ~60 store updates, not 1,000. A timer backs up the frame callback because browsers stop
 * animation frames in background tabs, and a backlog there would grow without bound.
 */
export interface Scheduler {
  frame(callback: () => void): () => void;
  timer(callback: () => void, ms: number): () => void;
}

export const browserScheduler: Scheduler = {
  frame(callback) {
    const handle = requestAnimationFrame(callback);
    return () => cancelAnimationFrame(handle);
  },
  timer(callback, ms) {
    const handle = setTimeout(callback, ms);
    return () => clearTimeout(handle);
  },
};

export interface FrameBatcher<T> {
  add(items: readonly T[]): void;
  flush(): void;
  dispose(): void;
}

export function createFrameBatcher<T>(
  deliver: (items: T[]) => void,
  scheduler: Scheduler,
  options: { fallbackMs?: number; maxPending?: number } = {},
): FrameBatcher<T> {
  const fallbackMs = options.fallbackMs ?? 250;
  const maxPending = options.maxPending ?? 5_000;
  let pending: T[] = [];
  let cancels: (() => void)[] = [];

  const flush = () => {
    for (const cancel of cancels) cancel();
    cancels = [];
    if (pending.length === 0) return;
    const items = pending;
    pending = [];
    deliver(items);
  };

  return {
    add(items) {
      if (items.length === 0) return;
      for (const item of items) pending.push(item);
      if (pending.length >= maxPending) return flush();
      if (cancels.length === 0) cancels = [scheduler.frame(flush), scheduler.timer(flush, fallbackMs)];
    },
    flush,
    dispose() {
      for (const cancel of cancels) cancel();
      cancels = [];
      pending = [];
    },
  };
}
