import { describe, expect, it } from 'vitest';
import { acquireSingleInstance, type SingleInstanceApp } from './single-instance.js';

function fakeApp(lock: boolean) {
  const calls: string[] = [];
  let secondInstance: (() => void) | null = null;
  const app: SingleInstanceApp = {
    requestSingleInstanceLock: () => lock,
    on: (_event, listener) => {
      secondInstance = listener;
    },
    quit: () => calls.push('quit'),
  };
  return { app, calls, launchAgain: () => secondInstance?.() };
}

describe('single instance', () => {
  it('focuses the running window when launched again', () => {
    const { app, calls, launchAgain } = fakeApp(true);
    let focused = 0;
    expect(acquireSingleInstance(app, () => focused++)).toBe(true);
    launchAgain();
    expect(focused).toBe(1);
    expect(calls).toEqual([]);
  });

  it('quits the second instance', () => {
    const { app, calls } = fakeApp(false);
    expect(acquireSingleInstance(app, () => {})).toBe(false);
    expect(calls).toEqual(['quit']);
  });
});
