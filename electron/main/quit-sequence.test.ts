import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installQuitSequence, type QuitApp } from './quit-sequence.js';

function fakeApp(steps: string[]) {
  const emitter = new EventEmitter();
  const app: QuitApp = {
    on: (event, listener) => emitter.on(event, listener),
    exit: (code) => steps.push(`exit ${code}`),
  };
  /** Emits before-quit as Electron does; returns whether the quit was cancelled. */
  const requestQuit = () => {
    let prevented = false;
    emitter.emit('before-quit', {
      preventDefault: () => {
        prevented = true;
        steps.push('preventDefault');
      },
    });
    return prevented;
  };
  return { app, requestQuit };
}

function deferred() {
  let resolve: () => void = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('the quit sequence', () => {
  it('cancels the quit, stops the host, then exits — in that order', async () => {
    const steps: string[] = [];
    const { app, requestQuit } = fakeApp(steps);
    const stopped = deferred();
    const quit = installQuitSequence({
      app,
      beforeStop: () => steps.push('beforeStop'),
      stopHost: () => {
        steps.push('host.stop');
        return stopped.promise.then(() => {
          steps.push('host stopped');
        });
      },
      log: () => {},
    });
    expect(quit.isQuitting()).toBe(false);
    expect(requestQuit()).toBe(true);
    expect(quit.phase).toBe('stopping');
    expect(quit.isQuitting()).toBe(true);

    // A second request (a second Cmd+Q, the tray's Quit) while draining: cancelled, no second stop.
    expect(requestQuit()).toBe(true);

    stopped.resolve();
    await expect(quit.done).resolves.toBe(0);
    expect(steps).toEqual(['preventDefault', 'beforeStop', 'host.stop', 'preventDefault', 'host stopped', 'exit 0']);
    expect(quit.phase).toBe('stopped');
    expect(requestQuit()).toBe(false);
  });

  it('exits with an error code when the host fails to stop', async () => {
    const steps: string[] = [];
    const { app, requestQuit } = fakeApp(steps);
    const logged: string[] = [];
    const quit = installQuitSequence({
      app,
      stopHost: () => Promise.reject(new Error('database is locked')),
      beforeStop: () => {
        throw new Error('tray already gone');
      },
      log: (level, message) => logged.push(`${level}: ${message}`),
    });
    requestQuit();
    await expect(quit.done).resolves.toBe(1);
    expect(steps.at(-1)).toBe('exit 1');
    expect(logged).toContain('error: pipeline did not stop cleanly');
    expect(logged).toContain('warn: shutdown step failed');
  });

  it('gives up on a host that never stops', async () => {
    const steps: string[] = [];
    const { app, requestQuit } = fakeApp(steps);
    const quit = installQuitSequence({ app, stopHost: () => new Promise(() => {}), log: () => {}, timeoutMs: 20 });
    requestQuit();
    await expect(quit.done).resolves.toBe(1);
    expect(steps).toEqual(['preventDefault', 'exit 1']);
  });

  it('runs beforeExit with the exit code after the host stopped and before app.exit', async () => {
    const steps: string[] = [];
    const { app, requestQuit } = fakeApp(steps);
    const stopped = deferred();
    const quit = installQuitSequence({
      app,
      stopHost: () => stopped.promise.then(() => void steps.push('host stopped')),
      beforeExit: (code) => {
        steps.push(`beforeExit ${code}`);
        throw new Error('updater gone');
      },
      log: (level, message) => steps.push(`${level}: ${message}`),
    });
    requestQuit();
    expect(steps).not.toContain('beforeExit 0');
    stopped.resolve();
    await expect(quit.done).resolves.toBe(0);
    expect(steps.slice(-5)).toEqual([
      'host stopped',
      'info: pipeline stopped; exiting',
      'beforeExit 0',
      'warn: shutdown step failed',
      'exit 0',
    ]);
  });

  it('tells beforeExit about a failed stop', async () => {
    const codes: number[] = [];
    const { app, requestQuit } = fakeApp([]);
    const quit = installQuitSequence({
      app,
      stopHost: () => Promise.reject(new Error('database is locked')),
      beforeExit: (code) => codes.push(code),
      log: () => {},
    });
    requestQuit();
    await expect(quit.done).resolves.toBe(1);
    expect(codes).toEqual([1]);
  });
});
