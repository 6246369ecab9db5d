import { describe, expect, it } from 'vitest';
import { createFrameBatcher, type Scheduler } from './frame-batcher.js';

/** A scheduler whose frames and timers run when the test says so. */
function manualScheduler() {
  const frames = new Set<() => void>();
  const timers = new Set<() => void>();
  const scheduler: Scheduler = {
    frame(callback) {
      frames.add(callback);
      return () => frames.delete(callback);
    },
    timer(callback) {
      timers.add(callback);
      return () => timers.delete(callback);
    },
  };
  const run = (set: Set<() => void>) => {
    const due = [...set];
    set.clear();
    for (const callback of due) callback();
  };
  return { scheduler, frames, timers, frame: () => run(frames), timeout: () => run(timers) };
}

describe('the frame batcher', () => {
  it('delivers many pushes as one update per frame', () => {
    const clock = manualScheduler();
    const delivered: number[][] = [];
    const batcher = createFrameBatcher<number>((items) => delivered.push(items), clock.scheduler);
    for (let i = 0; i < 100; i++) batcher.add([i]);
    expect(delivered).toEqual([]);
    expect(clock.frames.size).toBe(1);
    clock.frame();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toHaveLength(100);
    expect(clock.timers.size).toBe(0);
  });

  it('still delivers when frames stop (background tab)', () => {
    const clock = manualScheduler();
    const delivered: number[][] = [];
    const batcher = createFrameBatcher<number>((items) => delivered.push(items), clock.scheduler);
    batcher.add([1, 2]);
    clock.timeout();
    expect(delivered).toEqual([[1, 2]]);
    expect(clock.frames.size).toBe(0);
  });

  it('flushes at once when the backlog reaches its bound', () => {
    const clock = manualScheduler();
    const delivered: number[][] = [];
    const batcher = createFrameBatcher<number>((items) => delivered.push(items), clock.scheduler, { maxPending: 10 });
    batcher.add([1, 2, 3, 4, 5]);
    batcher.add([6, 7, 8, 9, 10, 11]);
    expect(delivered).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]]);
  });
});
