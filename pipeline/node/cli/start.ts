/**
 * `bitbrat start` (what `npm start` runs): the desktop app where Electron's binary exists,
 * otherwise the same app as the browser console, said in one sentence.
 */
import type { HostLog } from '../host/pipeline-host.js';
import { launchDesktop } from './electron-launch.js';
import { serve } from './serve.js';

export async function startApp(options: { dataDir: string; port?: number; log: HostLog }): Promise<void> {
  const launched = await launchDesktop({ env: { ...process.env, BITBRAT_DATA_DIR: options.dataDir } });
  if (launched === 'electron') return;
  process.stdout.write(
    "Electron's binary is not installed on this machine (`npm run electron:install` fetches it where GitHub is reachable), so BitBrat starts as a browser console instead.\n",
  );
  const served = await serve({
    dataDir: options.dataDir,
    ...(options.port !== undefined ? { port: options.port } : {}),
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
