/**
 * Entry of the Electron main process (bundled to dist/electron/main.js). Everything happens in
 * runDesktopApp; this file only hands it the real Electron module and the real PipelineHost.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as electron from 'electron';
import { PipelineHost } from '../../pipeline/node/host/pipeline-host.js';
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
  startHost: ({ dataDir, log, secrets }) =>
    PipelineHost.start({ dataDir, log, secrets, demo: demoFromEnv(process.env) }),
});
