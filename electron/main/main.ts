/**
 * Entry of the Electron main process (bundled to dist/electron/main.js). Everything happens in
 * runDesktopApp; this file only hands it the real Electron module and the real host. The host runs
 * with its gateway, as `bitbrat serve` does: the OBS overlay, client programs, webhooks and
 * moderators' browser consoles need it while the streamer uses the desktop window.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as electron from 'electron';
import { serve } from '../../pipeline/node/cli/serve.js';
import { runDesktopApp } from './desktop-app.js';

/** BITBRAT_DEMO=<events per second> starts the scripted demo source (used by the _electron tests). */
function demoFromEnv(env: NodeJS.ProcessEnv): { ratePerSecond: number; scripted: boolean } | undefined {
  const rate = Number(env.BITBRAT_DEMO);
  return Number.isFinite(rate) && rate > 0 ? { ratePerSecond: Math.min(rate, 1000), scripted: true } : undefined;
}

runDesktopApp(electron, {
  bundleDir: path.dirname(fileURLToPath(import.meta.url)),
  // electron-updater is CommonJS: its default export holds `autoUpdater`, a getter that builds the
  // platform's updater on first access, so it is only touched when updates are on.
  loadUpdater: async () => (await import('electron-updater')).default.autoUpdater,
  startHost: async ({ dataDir, log, secrets }) => {
    const served = await serve({
      dataDir,
      log,
      demo: demoFromEnv(process.env) ?? null,
      ...(secrets ? { secrets } : {}),
    });
    return {
      api: served.host.api,
      subscribe: (listener) => served.host.subscribe(listener),
      stop: () => served.stop(),
      consoleUrl: served.gateway.consoleUrl,
    };
  },
});
