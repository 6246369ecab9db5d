/**
 * `bitbrat start` (what `npm start` runs): the desktop app where Electron's binary exists,
 * otherwise the same app as the browser console, said in one sentence.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostLog } from '../host/pipeline-host.js';
import { serve } from './serve.js';

/**
 * The Electron binary the `electron` npm package downloaded, or null. Read from the package's
 * path.txt rather than by loading the package, which throws when the download was skipped.
 */
export function locateElectronBinary(): string | null {
  try {
    const manifest = createRequire(import.meta.url).resolve('electron/package.json');
    const pathFile = join(dirname(manifest), 'path.txt');
    if (!existsSync(pathFile)) return null;
    const binary = join(dirname(manifest), 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

export async function startApp(options: { dataDir: string; port: number; log: HostLog }): Promise<void> {
  const binary = locateElectronBinary();
  const mainFile = fileURLToPath(new URL('./electron/main.js', import.meta.url));
  if (binary && existsSync(mainFile)) {
    const child = spawn(binary, [mainFile], {
      stdio: 'inherit',
      env: { ...process.env, BITBRAT_DATA_DIR: options.dataDir },
    });
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  process.stdout.write(
    "Electron's binary is not installed on this machine, so BitBrat starts as a browser console instead.\n",
  );
  const served = await serve({
    dataDir: options.dataDir,
    port: options.port,
    lan: false,
    demo: null,
    log: options.log,
  });
  process.stdout.write(
    `\nOpen the console:\n\n  ${served.gateway.consoleUrl}\n\nData folder: ${served.host.dataDir}\nPress Ctrl+C to stop.\n`,
  );
  const stop = () => void served.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
