/**
 * The composition root of the desktop app: wires Electron's modules to the pieces in this folder.
 * Electron is passed in (main.ts hands over the real module) and the host is started through
 * `startHost`, so this file has no hidden globals; each piece it wires is tested on its own.
 */
import path from 'node:path';
import type * as ElectronModule from 'electron';
import type { Health } from '../../pipeline/core/host-api.js';
import { createAutoUpdate, type UpdaterLike } from './auto-update.js';
import { APP_ENTRY_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol.js';
import { installContentSecurityPolicy } from './csp.js';
import {
  DESKTOP_SETTINGS_FILE,
  loadDesktopSettings,
  saveDesktopSettings,
  type DesktopSettings,
} from './desktop-settings.js';
import { HeldReplyCounter } from './held-replies.js';
import type { HostLike, HostLog } from './host-like.js';
import { forwardHostPushes, registerHostIpc } from './ipc-host.js';
import { installNavigationPolicy } from './navigation.js';
import { notifyHeldReplies, notifyUpdateReady } from './notifications.js';
import { denyAllPermissions } from './permissions.js';
import { installQuitSequence } from './quit-sequence.js';
import { createRotatingLog } from './rotating-log.js';
import { SecretStore } from './secrets.js';
import { acquireSingleInstance } from './single-instance.js';
import { connectionStateOf, trayMenuTemplate, trayTooltip } from './tray-state.js';
import { createMainWindowOptions, devToolsAllowed } from './window-options.js';
import { loadWindowState, trackWindowState, WINDOW_STATE_FILE } from './window-state.js';

export interface StartHostOptions {
  dataDir: string;
  log: HostLog;
  /**
   * Secrets encrypted with safeStorage (Twitch tokens, the LLM key). Absent when safeStorage could
   * not be opened: the host then falls back to its 0600 key file, and says so.
   */
  secrets?: SecretStore;
}

export interface DesktopAppOptions {
  /** Folder of the bundled main script (dist/electron). */
  bundleDir: string;
  startHost: (options: StartHostOptions) => Promise<HostLike>;
  /** Loads electron-updater's autoUpdater; only called in a packaged app with updates on. */
  loadUpdater: () => Promise<UpdaterLike>;
  env?: NodeJS.ProcessEnv;
}

export interface DesktopPaths {
  rendererDir: string;
  preload: string;
  trayIcon: string;
  windowIcon: string;
}

export function desktopPaths(bundleDir: string): DesktopPaths {
  return {
    rendererDir: path.join(bundleDir, '..', 'renderer'),
    preload: path.join(bundleDir, 'preload.cjs'),
    trayIcon: path.join(bundleDir, 'icons', 'tray.png'),
    windowIcon: path.join(bundleDir, 'icons', 'icon.png'),
  };
}

export const PRODUCT_NAME = 'BitBrat Desktop';

export function runDesktopApp(electron: typeof ElectronModule, options: DesktopAppOptions): void {
  const {
    app,
    BrowserWindow,
    Menu,
    Notification,
    Tray,
    crashReporter,
    dialog,
    ipcMain,
    nativeImage,
    protocol,
    screen,
    session,
    shell,
    safeStorage,
  } = electron;
  const env = options.env ?? process.env;
  const paths = desktopPaths(options.bundleDir);

  // Must happen before `ready` (https://www.electronjs.org/docs/latest/api/protocol#protocolregisterschemesasprivilegedcustomschemes).
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

  // Same folder in development and in the installed app (the npm package name would differ).
  app.setName(PRODUCT_NAME);
  app.setPath('userData', path.join(app.getPath('appData'), PRODUCT_NAME));
  const dataDir = env.BITBRAT_DATA_DIR ? path.resolve(env.BITBRAT_DATA_DIR) : app.getPath('userData');

  const { log } = createRotatingLog({
    dir: path.join(dataDir, 'logs'),
    echo: app.isPackaged ? undefined : (line) => console.log(line),
  });
  app.setPath('crashDumps', path.join(dataDir, 'crashes'));
  crashReporter.start({ uploadToServer: false });
  process.on('uncaughtException', (error) =>
    log('error', 'uncaught exception', { error: error.stack ?? error.message }),
  );
  process.on('unhandledRejection', (reason) => log('error', 'unhandled rejection', { error: String(reason) }));

  let mainWindow: ElectronModule.BrowserWindow | null = null;
  const showWindow = () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  };

  if (!acquireSingleInstance(app, showWindow)) return;

  const settingsFile = path.join(dataDir, DESKTOP_SETTINGS_FILE);
  const loaded = loadDesktopSettings(settingsFile);
  if (loaded.problem) log('warn', loaded.problem);
  let settings: DesktopSettings = loaded.settings;
  const updateSettings = (patch: Partial<DesktopSettings>) => {
    settings = { ...settings, ...patch };
    try {
      saveDesktopSettings(settingsFile, settings);
    } catch (error) {
      log('warn', 'could not save desktop settings', { error: (error as Error).message });
    }
    refreshTray();
  };

  let host: HostLike | null = null;
  let tray: ElectronModule.Tray | null = null;
  let flushWindowState: (() => void) | null = null;
  const cleanups: (() => void)[] = [];
  const updates = createAutoUpdate({
    packaged: app.isPackaged,
    env,
    loadUpdater: options.loadUpdater,
    log,
    onReady: (version) => {
      refreshTray();
      notifyUpdateReady(
        {
          isSupported: () => Notification.isSupported(),
          create: (content) => new Notification(content),
          onClick: showWindow,
        },
        version,
      );
    },
  });
  const quit = installQuitSequence({
    app,
    stopHost: async () => {
      await host?.stop();
    },
    beforeStop: () => {
      flushWindowState?.();
      for (const cleanup of cleanups.splice(0)) cleanup();
      tray?.destroy();
      tray = null;
    },
    // After the drain: electron-updater installs a downloaded update on Electron's `quit`, which follows app.exit.
    beforeExit: (exitCode) => updates.beforeExit(exitCode),
    log,
  });

  const counter = new HeldReplyCounter();
  let health: Health | null = null;
  let secretsWarning: string | null = null;

  function refreshTray(): void {
    if (!tray || tray.isDestroyed()) return;
    const state = connectionStateOf(health);
    tray.setToolTip(trayTooltip(state, counter.count));
    if (process.platform === 'darwin') tray.setTitle(counter.count > 0 ? String(counter.count) : '');
    const update = updates.status();
    const template = trayMenuTemplate(
      {
        state,
        held: counter.count,
        closeToTray: settings.closeToTray,
        notifyHeldReplies: settings.notifyHeldReplies,
        updateReady: update.phase === 'ready' ? update.version : null,
      },
      {
        showWindow,
        setCloseToTray: (value) => updateSettings({ closeToTray: value }),
        setNotifyHeldReplies: (value) => updateSettings({ notifyHeldReplies: value }),
        openDataFolder: () => void shell.openPath(dataDir),
        quit: () => app.quit(),
      },
    );
    if (secretsWarning) template.unshift({ label: 'Secrets are not protected by a keyring', enabled: false });
    tray.setContextMenu(Menu.buildFromTemplate(template));
  }

  function createWindow(): ElectronModule.BrowserWindow {
    const primary = screen.getPrimaryDisplay();
    const stateFile = path.join(dataDir, WINDOW_STATE_FILE);
    const { state, problem } = loadWindowState(stateFile, screen.getAllDisplays(), primary);
    if (problem) log('warn', problem);
    const window = new BrowserWindow(
      createMainWindowOptions({
        preloadPath: paths.preload,
        bounds: state.bounds,
        iconPath: paths.windowIcon,
        devTools: devToolsAllowed(app.isPackaged, env),
      }),
    );
    flushWindowState = trackWindowState(window, stateFile, {
      onError: (error) => log('warn', 'could not save window bounds', { error: error.message }),
    });
    window.once('ready-to-show', () => {
      if (state.maximized) window.maximize();
      window.show();
    });
    window.on('close', (event) => {
      if (settings.closeToTray && tray && !quit.isQuitting()) {
        event.preventDefault();
        window.hide();
      }
    });
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null;
    });
    window.webContents.on('render-process-gone', (_event, details) => {
      log('error', 'renderer process gone', { reason: details.reason, exitCode: details.exitCode });
    });
    void window.loadURL(APP_ENTRY_URL);
    return window;
  }

  app.on('web-contents-created', (_event, contents) => {
    installNavigationPolicy(contents, { openExternal: (url) => shell.openExternal(url), log });
  });

  app.on('window-all-closed', () => {
    if (!settings.closeToTray || !tray) app.quit();
  });

  app.on('activate', () => {
    if (!mainWindow) mainWindow = createWindow();
    else showWindow();
  });

  void app.whenReady().then(async () => {
    denyAllPermissions(session.defaultSession, log);
    installContentSecurityPolicy(session.defaultSession);
    protocol.handle(APP_SCHEME, createAppProtocolHandler({ rootDir: paths.rendererDir }));

    let secrets: SecretStore | undefined;
    try {
      secrets = await SecretStore.open(path.join(dataDir, 'secrets.json'), safeStorage, process.platform);
      secretsWarning = secrets.protection.warning;
      if (secretsWarning) log('warn', secretsWarning, { backend: secrets.protection.backend });
    } catch (error) {
      log('warn', 'could not check secret storage', { error: (error as Error).message });
    }

    try {
      host = await options.startHost({ dataDir, log, ...(secrets ? { secrets } : {}) });
    } catch (error) {
      log('error', 'the pipeline could not start', { error: (error as Error).stack ?? String(error) });
      dialog.showErrorBox(PRODUCT_NAME, `The pipeline could not start: ${(error as Error).message}`);
      app.exit(1);
      return;
    }
    const running = host;

    cleanups.push(
      registerHostIpc(ipcMain, {
        api: running.api,
        trustedFrame: () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents.mainFrame : null),
        log,
      }),
      forwardHostPushes(running, () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null)),
      running.subscribe((topic, data) => {
        if (topic === 'health') {
          health = data as Health;
          refreshTray();
        } else if (topic === 'approvals') {
          const newlyHeld = counter.apply(data as Parameters<HeldReplyCounter['apply']>[0]);
          refreshTray();
          notifyHeldReplies(
            {
              isSupported: () => Notification.isSupported(),
              create: (content) => new Notification(content),
              enabled: () => settings.notifyHeldReplies,
              onClick: showWindow,
            },
            newlyHeld,
          );
        }
      }),
    );

    tray = new Tray(nativeImage.createFromPath(paths.trayIcon));
    tray.on('click', showWindow);
    running.api['approvals.list']({ open: true }).then(
      (held) => {
        counter.reset(held.map((item) => item.approval));
        refreshTray();
      },
      (error: unknown) => log('warn', 'could not count held replies', { error: (error as Error).message }),
    );
    running.api['health.get']({}).then(
      (value) => {
        health = value;
        refreshTray();
      },
      () => undefined,
    );
    refreshTray();
    mainWindow = createWindow();
    // After the pipeline and the window are up, so the check never delays the start; it never rejects.
    void updates.checkAtStart();
  });
}
