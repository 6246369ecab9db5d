/** The turn-taker lets the event loop in during long work on one thread, and stays out of short work. */
import { expect, it } from 'vitest';
import { turnTaker } from './turn-taker.js';

/** Busy work on this thread until `ms` have passed (stands in for a synchronous SQLite read or a parse). */
function work(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* busy */
  }
}

it('gives the event loop a turn once the budget of work has passed, and none before', async () => {
  const start = performance.now();
  const turn = turnTaker(5);
  let ranBetween = false;
  setImmediate(() => {
    ranBetween = true;
  });
  // Under the budget: the checkpoint does not wait.
  expect(turn()).toBeUndefined();
  // Work past the budget: some checkpoint yields, and the queued callback runs before the work ends.
  // Judged by the clock, not by a count of items: on a loaded machine 1 ms of work can take longer.
  let yieldedAfterMs = -1;
  for (let items = 0; !ranBetween && items < 1_000; items++) {
    work(1);
    const at = performance.now();
    const pending = turn();
    if (pending) {
      if (yieldedAfterMs < 0) yieldedAfterMs = at - start;
      await pending;
    }
  }
  expect(ranBetween).toBe(true);
  expect(yieldedAfterMs).toBeGreaterThanOrEqual(5);
});
