/**
 * Options of the main window, per Electron's security checklist
 * (https://www.electronjs.org/docs/latest/tutorial/security#checklist-security-recommendations).
 * Kept as a pure function so the test reads the exact options the window gets.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import type { Bounds } from './window-state.js';

export interface MainWindowOptionsInput {
  preloadPath: string;
  bounds: Bounds;
  iconPath?: string;
  /** Whether the window may open DevTools: see `devToolsAllowed`. */
  devTools: boolean;
}

/**
 * The support switch: `BITBRAT_DEVTOOLS=1` turns DevTools on in an installed app (a support case
 * may need the console's errors). Off otherwise when packaged, so a streamer cannot be talked into
 * pasting code into it; always on in development.
 */
export const DEVTOOLS_ENV = 'BITBRAT_DEVTOOLS';

export function devToolsAllowed(packaged: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  return !packaged || env[DEVTOOLS_ENV] === '1';
}

export const MIN_WINDOW_SIZE = { width: 720, height: 480 } as const;

export function createMainWindowOptions(input: MainWindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    ...input.bounds,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: 'BitBrat Desktop',
    // Shown on ready-to-show so the streamer never sees a blank white frame.
    show: false,
    backgroundColor: '#14121f',
    ...(input.iconPath ? { icon: input.iconPath } : {}),
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      // Middle-click would open a link as a new window: the window-open handler denies that anyway;
      // without the auxclick event there is no second path to rely on.
      disableBlinkFeatures: 'Auxclick',
      devTools: input.devTools,
    },
  };
}
