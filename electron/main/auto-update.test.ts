import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createAutoUpdate, type UpdateStatus, type UpdaterLike, type UpdaterLogger } from './auto-update.js';
import type { HostLogLevel } from './host-like.js';

/**
 * A stand-in for electron-updater's autoUpdater: a real EventEmitter (so an `error` without a
 * listener throws, as it would there) emitting the real event names from a scripted check.
 */
class FakeUpdater extends EventEmitter implements UpdaterLike {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  logger: UpdaterLogger | null = null;
  checks = 0;
  quitAndInstallCalls = 0;
  constructor(private readonly script: (updater: FakeUpdater) => Promise<unknown>) {
    super();
  }
  checkForUpdates(): Promise<unknown> {
    this.checks++;
    return this.script(this);
  }
  /** Exists on the real updater; the controller must never reach it. */
  quitAndInstall(): void {
    this.quitAndInstallCalls++;
  }
}

function harness(
  script: (updater: FakeUpdater) => Promise<unknown>,
  options: { packaged?: boolean; env?: object } = {},
) {
  const updater = new FakeUpdater(script);
  const logs: { level: HostLogLevel; message: string; fields?: Record<string, unknown> }[] = [];
  const ready: string[] = [];
  const phases: UpdateStatus['phase'][] = [];
  let loads = 0;
  const control = createAutoUpdate({
    packaged: options.packaged ?? true,
    env: { ...options.env },
    loadUpdater: async () => {
      loads++;
      return updater;
    },
    log: (level, message, fields) => logs.push({ level, message, ...(fields ? { fields } : {}) }),
    onReady: (version) => ready.push(version),
    onChange: (status) => phases.push(status.phase),
  });
  return { updater, control, logs, ready, phases, loads: () => loads };
}

const feedDown = () => Object.assign(new Error('getaddrinfo ENOTFOUND updates.invalid'), { code: 'ENOTFOUND' });

describe('auto-update', () => {
  it('is off in development: electron-updater is not even loaded', async () => {
    const { control, loads, logs } = harness(async () => null, { packaged: false });
    await control.checkAtStart();
    expect(loads()).toBe(0);
    expect(control.status()).toEqual({ phase: 'disabled', reason: 'not a packaged app' });
    expect(logs.map((entry) => entry.message)).toEqual(['auto-update is off']);
  });

  it('is off when BITBRAT_DISABLE_UPDATES=1', async () => {
    const { control, loads } = harness(async () => null, { env: { BITBRAT_DISABLE_UPDATES: '1' } });
    await control.checkAtStart();
    expect(loads()).toBe(0);
    expect(control.status()).toMatchObject({ phase: 'disabled', reason: 'BITBRAT_DISABLE_UPDATES=1' });
  });

  it('downloads in the background, announces once, and never restarts the app', async () => {
    const { updater, control, ready, phases, logs } = harness(async (self) => {
      self.emit('checking-for-update');
      self.emit('update-available', { version: '1.2.3' });
      for (const percent of [10, 30, 60, 100]) self.emit('download-progress', { percent });
      self.emit('update-downloaded', { version: '1.2.3' });
      // electron-updater can report the same download twice (cached + verified); one notification.
      self.emit('update-downloaded', { version: '1.2.3' });
      return { updateInfo: { version: '1.2.3' } };
    });
    await control.checkAtStart();
    expect(updater).toMatchObject({ autoDownload: true, autoInstallOnAppQuit: true, checks: 1 });
    expect(updater.logger).not.toBeNull();
    expect(ready).toEqual(['1.2.3']);
    expect(control.status()).toEqual({ phase: 'ready', version: '1.2.3' });
    expect(phases[0]).toBe('checking');
    expect(phases.at(-1)).toBe('ready');
    // Progress is logged in quarter steps, not for every chunk.
    const progress = logs.filter((entry) => entry.message === 'update download progress');
    expect(progress.map((entry) => entry.fields?.percent)).toEqual([0, 25, 50, 100]);

    control.beforeExit(0);
    expect(updater.autoInstallOnAppQuit).toBe(true);
    expect(updater.quitAndInstallCalls).toBe(0);
    expect(logs.at(-1)?.message).toBe('installing the downloaded update as BitBrat exits');
  });

  it('reports an up-to-date app without a notification', async () => {
    const { control, ready } = harness(async (self) => {
      self.emit('checking-for-update');
      self.emit('update-not-available', { version: '0.1.0' });
      return null;
    });
    await control.checkAtStart();
    expect(control.status()).toEqual({ phase: 'up-to-date' });
    expect(ready).toEqual([]);
    control.beforeExit(0);
  });

  it('treats an unreachable feed as one logged warning, never a crash', async () => {
    const { control, logs } = harness(async (self) => {
      self.emit('checking-for-update');
      // What electron-updater does on a failed check: emit `error`, then reject with the same error.
      const error = feedDown();
      self.emit('error', error, error.stack);
      throw error;
    });
    await expect(control.checkAtStart()).resolves.toBeUndefined();
    expect(control.status()).toEqual({ phase: 'failed', message: 'getaddrinfo ENOTFOUND updates.invalid' });
    const warnings = logs.filter((entry) => entry.level === 'warn');
    expect(warnings).toEqual([
      {
        level: 'warn',
        message: 'update check failed; BitBrat keeps running on this version',
        fields: { error: 'getaddrinfo ENOTFOUND updates.invalid' },
      },
    ]);
  });

  it('survives a check that only rejects, and an updater that cannot load', async () => {
    const rejecting = harness(async () => {
      throw feedDown();
    });
    await rejecting.control.checkAtStart();
    expect(rejecting.control.status().phase).toBe('failed');
    expect(rejecting.logs.filter((entry) => entry.level === 'warn')).toHaveLength(1);

    const logs: string[] = [];
    const broken = createAutoUpdate({
      packaged: true,
      env: {},
      loadUpdater: () => Promise.reject(new Error('Cannot find module electron-updater')),
      log: (level, message) => logs.push(`${level}: ${message}`),
      onReady: () => {},
    });
    await expect(broken.checkAtStart()).resolves.toBeUndefined();
    expect(broken.status()).toEqual({ phase: 'failed', message: 'Cannot find module electron-updater' });
    expect(logs).toEqual(['warn: auto-update could not start']);
    broken.beforeExit(0);
  });

  it('keeps a downloaded update ready through a later error, and holds it back after an unclean stop', async () => {
    const { updater, control, logs } = harness(async (self) => {
      self.emit('update-available', { version: '2.0.0' });
      self.emit('update-downloaded', { version: '2.0.0' });
      self.emit('error', new Error('differential download failed'));
      return null;
    });
    await control.checkAtStart();
    expect(control.status()).toEqual({ phase: 'ready', version: '2.0.0' });

    control.beforeExit(1);
    expect(updater.autoInstallOnAppQuit).toBe(false);
    expect(updater.quitAndInstallCalls).toBe(0);
    expect(logs.at(-1)).toMatchObject({ level: 'warn', fields: { version: '2.0.0', exitCode: 1 } });
  });

  it('wires the updater once even when checked again', async () => {
    const { updater, control } = harness(async (self) => {
      self.emit('update-not-available', { version: '0.1.0' });
      return null;
    });
    await control.checkAtStart();
    await control.checkAtStart();
    expect(updater.checks).toBe(2);
    expect(updater.listenerCount('error')).toBe(1);
  });
});
