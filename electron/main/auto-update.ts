/**
 * Auto-update with electron-updater, behind a narrow interface so it is tested with a fake.
 *
 * The streamer is live while the app runs, so an update never restarts it: the update is checked
 * once at start, downloaded in the background, announced (tray + a silent notification), and
 * installed only when the streamer quits. We never call `quitAndInstall` (it is not even part of
 * `UpdaterLike`); electron-updater's own install-on-quit runs on Electron's `quit` event, which the
 * quit sequence only reaches through `app.exit(code)` after the pipeline has drained, and which
 * electron-updater skips for a non-zero exit code
 * (https://www.electron.build/auto-update#appupdater-moduleelectron-updaterappupdater).
 * An unreachable or misconfigured feed (the placeholder in electron-builder.yml) is a warning in
 * the log, never a crash: every `error` event and every rejected check is caught here.
 */
import type { HostLog } from './host-like.js';

/** The parts of electron-updater's UpdateInfo / ProgressInfo this module reads. */
export interface UpdateInfoLike {
  version: string;
}
export interface DownloadProgressLike {
  percent: number;
}

/** electron-updater's event names and listener signatures (AppUpdaterEvents), the ones we use. */
export interface UpdaterEvents {
  'checking-for-update': () => void;
  'update-available': (info: UpdateInfoLike) => void;
  'update-not-available': (info: UpdateInfoLike) => void;
  'download-progress': (progress: DownloadProgressLike) => void;
  'update-downloaded': (info: UpdateInfoLike) => void;
  error: (error: Error, message?: string) => void;
}

export interface UpdaterLogger {
  info(message?: unknown): void;
  warn(message?: unknown): void;
  error(message?: unknown): void;
  debug?(message: string): void;
}

/** What we use of electron-updater's `autoUpdater`; deliberately without `quitAndInstall`. */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  logger: UpdaterLogger | null;
  // One overload per event (not a generic over UpdaterEvents) so the real, wider AppUpdater fits.
  on(event: 'checking-for-update', listener: UpdaterEvents['checking-for-update']): unknown;
  on(event: 'update-available', listener: UpdaterEvents['update-available']): unknown;
  on(event: 'update-not-available', listener: UpdaterEvents['update-not-available']): unknown;
  on(event: 'download-progress', listener: UpdaterEvents['download-progress']): unknown;
  on(event: 'update-downloaded', listener: UpdaterEvents['update-downloaded']): unknown;
  on(event: 'error', listener: UpdaterEvents['error']): unknown;
  checkForUpdates(): Promise<unknown>;
}

export type UpdateStatus =
  | { phase: 'disabled'; reason: string }
  | { phase: 'idle' }
  | { phase: 'checking' }
  | { phase: 'up-to-date' }
  | { phase: 'downloading'; version: string; percent: number }
  | { phase: 'ready'; version: string }
  | { phase: 'failed'; message: string };

export interface AutoUpdateDeps {
  /** app.isPackaged: there is no app-update.yml (and nothing to update) in development. */
  packaged: boolean;
  env: NodeJS.ProcessEnv;
  /** Loads electron-updater lazily, so development never even loads the module. */
  loadUpdater: () => Promise<UpdaterLike>;
  log: HostLog;
  /** Called once when an update has been downloaded: tray and desktop notification. */
  onReady: (version: string) => void;
  /** Called on every status change (the tray reads `status()`). */
  onChange?: (status: UpdateStatus) => void;
}

export interface AutoUpdate {
  status(): UpdateStatus;
  /** Checks the feed once (at start). Resolves when the check is over; never rejects. */
  checkAtStart(): Promise<void>;
  /** Called by the quit sequence just before app.exit(exitCode), i.e. after the pipeline drained. */
  beforeExit(exitCode: number): void;
}

export const DISABLE_UPDATES_ENV = 'BITBRAT_DISABLE_UPDATES';

/** Why updates are off, or null when they are on. */
export function updatesDisabledReason(packaged: boolean, env: NodeJS.ProcessEnv): string | null {
  if (!packaged) return 'not a packaged app';
  if (env[DISABLE_UPDATES_ENV] === '1') return `${DISABLE_UPDATES_ENV}=1`;
  return null;
}

const PROGRESS_LOG_STEP = 25;

export function createAutoUpdate(deps: AutoUpdateDeps): AutoUpdate {
  const { log } = deps;
  const disabled = updatesDisabledReason(deps.packaged, deps.env);
  let status: UpdateStatus = disabled ? { phase: 'disabled', reason: disabled } : { phase: 'idle' };
  let updater: UpdaterLike | null = null;
  let wired = false;
  let loggedProgress = -1;
  let lastErrorLogged: Error | null = null;

  const setStatus = (next: UpdateStatus) => {
    status = next;
    deps.onChange?.(next);
  };

  const warn = (message: string, error: unknown) => {
    log('warn', message, { error: error instanceof Error ? error.message : String(error) });
  };

  const wire = (target: UpdaterLike) => {
    target.autoDownload = true;
    target.autoInstallOnAppQuit = true;
    // electron-updater logs to the console by default; route it to our rotating log instead.
    target.logger = {
      info: (message) => log('debug', `updater: ${String(message)}`),
      warn: (message) => log('warn', `updater: ${String(message)}`),
      error: (message) => log('debug', `updater error: ${String(message)}`),
    };
    target.on('checking-for-update', () => setStatus({ phase: 'checking' }));
    target.on('update-not-available', () => setStatus({ phase: 'up-to-date' }));
    target.on('update-available', (info) => {
      log('info', 'an update is available; downloading it in the background', { version: info.version });
      setStatus({ phase: 'downloading', version: info.version, percent: 0 });
    });
    target.on('download-progress', (progress) => {
      if (status.phase !== 'downloading') return;
      const percent = Number.isFinite(progress.percent) ? Math.max(0, Math.min(100, progress.percent)) : 0;
      setStatus({ ...status, percent });
      const step = Math.floor(percent / PROGRESS_LOG_STEP) * PROGRESS_LOG_STEP;
      if (step > loggedProgress) {
        loggedProgress = step;
        log('debug', 'update download progress', { version: status.version, percent: step });
      }
    });
    target.on('update-downloaded', (info) => {
      if (status.phase === 'ready') return;
      log('info', 'update downloaded; it will be installed when BitBrat quits', { version: info.version });
      setStatus({ phase: 'ready', version: info.version });
      deps.onReady(info.version);
    });
    // Without an `error` listener an EventEmitter throws: this listener is what keeps a dead feed harmless.
    target.on('error', (error) => {
      lastErrorLogged = error;
      warn('update check failed; BitBrat keeps running on this version', error);
      // A download error after a finished one must not hide the ready update.
      if (status.phase !== 'ready') setStatus({ phase: 'failed', message: error?.message ?? String(error) });
    });
  };

  return {
    status: () => status,

    async checkAtStart() {
      if (status.phase === 'disabled') {
        log('info', 'auto-update is off', { reason: status.reason });
        return;
      }
      try {
        updater ??= await deps.loadUpdater();
        if (!wired) {
          wire(updater);
          wired = true;
        }
      } catch (error) {
        warn('auto-update could not start', error);
        setStatus({ phase: 'failed', message: error instanceof Error ? error.message : String(error) });
        return;
      }
      try {
        await updater.checkForUpdates();
      } catch (error) {
        // electron-updater emits `error` and also rejects the check: log the same failure once.
        if (error !== lastErrorLogged) {
          warn('update check failed; BitBrat keeps running on this version', error);
          if (status.phase !== 'ready') {
            setStatus({ phase: 'failed', message: error instanceof Error ? error.message : String(error) });
          }
        }
      }
    },

    beforeExit(exitCode) {
      if (status.phase !== 'ready' || !updater) return;
      if (exitCode !== 0) {
        // The pipeline did not stop cleanly: do not replace the app now; the update waits for a clean quit.
        updater.autoInstallOnAppQuit = false;
        log('warn', 'the downloaded update is not installed because BitBrat did not stop cleanly', {
          version: status.version,
          exitCode,
        });
        return;
      }
      log('info', 'installing the downloaded update as BitBrat exits', { version: status.version });
    },
  };
}
