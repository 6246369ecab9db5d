import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DesktopNotBuiltError, launchDesktop, resolveElectronBinary } from './electron-launch.js';

let dir: string;
let savedExitCode: typeof process.exitCode;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bitbrat-launch-'));
  savedExitCode = process.exitCode;
});
afterEach(() => {
  process.exitCode = savedExitCode;
  rmSync(dir, { recursive: true, force: true });
});

/** A package folder laid out like node_modules/electron after (or without) its binary download. */
function electronPackage(withBinary: boolean): { packageDir: string; binary: string } {
  const packageDir = path.join(dir, 'electron');
  const binary = path.join(packageDir, 'dist', 'electron');
  mkdirSync(path.dirname(binary), { recursive: true });
  if (withBinary) {
    writeFileSync(path.join(packageDir, 'path.txt'), 'electron');
    // A stand-in binary: records its arguments and exits with code 3.
    writeFileSync(binary, `#!/bin/sh\necho "$@" > "${path.join(dir, 'args.txt')}"\nexit 3\n`);
    chmodSync(binary, 0o755);
  }
  return { packageDir, binary };
}

describe('resolveElectronBinary', () => {
  it('finds nothing when the binary was never downloaded (and does not try to download it)', () => {
    const { packageDir } = electronPackage(false);
    expect(resolveElectronBinary({ packageDir, env: {} })).toBeNull();
    expect(resolveElectronBinary({ packageDir: null, env: {} })).toBeNull();
  });

  it('finds the binary path.txt names, or the override folder', () => {
    const { packageDir, binary } = electronPackage(true);
    expect(resolveElectronBinary({ packageDir, env: {} })).toBe(binary);
    expect(
      resolveElectronBinary({
        packageDir: null,
        env: { ELECTRON_OVERRIDE_DIST_PATH: path.dirname(binary) },
        platform: 'linux',
      }),
    ).toBe(binary);
    expect(
      resolveElectronBinary({ packageDir, env: { ELECTRON_OVERRIDE_DIST_PATH: path.join(dir, 'nowhere') } }),
    ).toBeNull();
  });
});

describe('launchDesktop', () => {
  it("says 'no-binary' when there is no Electron binary", async () => {
    await expect(launchDesktop({ binary: null })).resolves.toBe('no-binary');
  });

  it('runs the binary on the main script and passes on its exit code', async () => {
    const { binary } = electronPackage(true);
    const mainScript = path.join(dir, 'main.js');
    writeFileSync(mainScript, '');
    await expect(
      launchDesktop({ binary, mainScript, args: ['--inspect-nothing'], env: { PATH: process.env.PATH } }),
    ).resolves.toBe('electron');
    expect(readFileSync(path.join(dir, 'args.txt'), 'utf8').trim()).toBe(`${mainScript} --inspect-nothing`);
    expect(process.exitCode).toBe(3);
  });

  it('says the app is not built when the main script is missing', async () => {
    const { binary } = electronPackage(true);
    await expect(launchDesktop({ binary, mainScript: path.join(dir, 'missing.js') })).rejects.toBeInstanceOf(
      DesktopNotBuiltError,
    );
  });

  it("treats a binary that cannot be executed as 'no-binary'", async () => {
    const mainScript = path.join(dir, 'main.js');
    writeFileSync(mainScript, '');
    const notExecutable = path.join(dir, 'electron-noexec');
    writeFileSync(notExecutable, 'not a program');
    await expect(launchDesktop({ binary: notExecutable, mainScript })).resolves.toBe('no-binary');
  });
});
