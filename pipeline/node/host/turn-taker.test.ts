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
  const turn = turnTaker(5);
  let ranBetween = false;
  setImmediate(() => {
    ranBetween = true;
  });
  // Under the budget: the checkpoint does not wait.
  expect(turn()).toBeUndefined();
  let items = 0;
  // Work past the budget: some checkpoint yields, and the queued callback runs before the work ends.
  while (!ranBetween && items < 1_000) {
    work(1);
    items += 1;
    await turn();
  }
  expect(ranBetween).toBe(true);
  expect(items).toBeGreaterThanOrEqual(5);
});
