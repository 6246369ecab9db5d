/**
 * `bitbrat start` (what `npm start` runs): runs the desktop app when Electron's binary is present,
 * else reports 'no-binary' so the CLI can start the browser console instead.
 *
 * The `electron` npm package's `require('electron')` DOWNLOADS the binary when it is missing
 * (node_modules/electron/index.js, Electron ≥ 38), which hangs or fails on machines without
 * internet. So the path it would return is worked out here the same way, without the download.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PLATFORM_EXECUTABLE: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'electron',
  freebsd: 'electron',
  openbsd: 'electron',
  darwin: 'Electron.app/Contents/MacOS/Electron',
  win32: 'electron.exe',
};

export interface ResolveElectronOptions {
  /** Folder of the electron npm package; found through node resolution when omitted. */
  packageDir?: string | null;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

function electronPackageDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    return path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** The executable `require('electron')` would point to, if it exists on disk; else null. */
export function resolveElectronBinary(options: ResolveElectronOptions = {}): string | null {
  const env = options.env ?? process.env;
  const packageDir = options.packageDir === undefined ? electronPackageDir() : options.packageDir;
  let executable: string | undefined;
  if (packageDir) {
    try {
      executable = readFileSync(path.join(packageDir, 'path.txt'), 'utf8').trim() || undefined;
    } catch {
      executable = undefined; // path.txt is written by the package's install step after a download
    }
  }
  let candidate: string | null = null;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const fallback = PLATFORM_EXECUTABLE[options.platform ?? process.platform] ?? 'electron';
    candidate = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, executable ?? fallback);
  } else if (packageDir && executable) {
    candidate = path.join(packageDir, 'dist', executable);
  }
  return candidate && existsSync(candidate) ? candidate : null;
}

/** dist/electron/main.js: beside the CLI bundle (dist/cli.js), or under the package root from source. */
export function defaultMainScript(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const bundled = path.join(here, 'electron', 'main.js');
  return existsSync(bundled) ? bundled : path.resolve(here, '..', '..', '..', 'dist', 'electron', 'main.js');
}

export interface LaunchDesktopOptions {
  binary?: string | null;
  mainScript?: string;
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
  spawn?: (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;
  /** Forward these signals to the app while it runs (default SIGINT, SIGTERM). */
  forwardSignals?: readonly NodeJS.Signals[];
}

export class DesktopNotBuiltError extends Error {
  constructor(mainScript: string) {
    super(`The desktop app is not built (${mainScript} is missing). Run \`npm run build\`, then try again.`);
    this.name = 'DesktopNotBuiltError';
  }
}

/**
 * Starts Electron on dist/electron/main.js and resolves with 'electron' when the app has exited
 * (process.exitCode carries its exit code), or 'no-binary' at once when there is no binary.
 */
export async function launchDesktop(options: LaunchDesktopOptions = {}): Promise<'electron' | 'no-binary'> {
  const binary = options.binary === undefined ? resolveElectronBinary({ env: options.env }) : options.binary;
  if (!binary) return 'no-binary';
  const mainScript = options.mainScript ?? defaultMainScript();
  if (!existsSync(mainScript)) throw new DesktopNotBuiltError(mainScript);

  const env = { ...(options.env ?? process.env) };
  // Set by some shells/tools; it would make the binary run as plain Node and ignore our app.
  delete env.ELECTRON_RUN_AS_NODE;
  const spawn = options.spawn ?? nodeSpawn;
  const child = spawn(binary, [mainScript, ...(options.args ?? [])], { stdio: 'inherit', env, windowsHide: false });

  const signals = options.forwardSignals ?? ['SIGINT', 'SIGTERM'];
  const forward = (signal: NodeJS.Signals) => {
    if (child.exitCode === null) child.kill(signal);
  };
  for (const signal of signals) process.on(signal, forward);
  try {
    return await new Promise<'electron' | 'no-binary'>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'EACCES') resolve('no-binary');
        else reject(error);
      });
      child.once('exit', (code, signal) => {
        process.exitCode = code ?? (signal ? 1 : 0);
        resolve('electron');
      });
    });
  } finally {
    for (const signal of signals) process.off(signal, forward);
  }
}
