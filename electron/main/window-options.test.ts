import { describe, expect, it } from 'vitest';
import { createMainWindowOptions, devToolsAllowed } from './window-options.js';

describe('main window options', () => {
  const options = createMainWindowOptions({
    preloadPath: '/app/dist/electron/preload.cjs',
    bounds: { x: 10, y: 20, width: 1000, height: 700 },
    devTools: false,
  });

  it('follow the Electron security checklist', () => {
    expect(options.webPreferences).toMatchObject({
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
      disableBlinkFeatures: 'Auxclick',
      preload: '/app/dist/electron/preload.cjs',
    });
  });

  it('use the restored bounds and stay hidden until the first paint', () => {
    expect(options).toMatchObject({ x: 10, y: 20, width: 1000, height: 700, show: false });
    expect(options.icon).toBeUndefined();
  });

  it('pass the DevTools decision through to the window', () => {
    expect(options.webPreferences?.devTools).toBe(false);
    const development = createMainWindowOptions({
      preloadPath: 'p',
      bounds: { x: 0, y: 0, width: 800, height: 600 },
      devTools: true,
    });
    expect(development.webPreferences?.devTools).toBe(true);
  });
});

describe('DevTools', () => {
  it('are off in a packaged app', () => {
    expect(devToolsAllowed(true, {})).toBe(false);
    expect(devToolsAllowed(true, { BITBRAT_DEVTOOLS: '0' })).toBe(false);
    expect(devToolsAllowed(true, { BITBRAT_DEVTOOLS: 'yes' })).toBe(false);
  });

  it('are on in development', () => {
    expect(devToolsAllowed(false, {})).toBe(true);
  });

  it('turn on in a packaged app with the support switch BITBRAT_DEVTOOLS=1', () => {
    expect(devToolsAllowed(true, { BITBRAT_DEVTOOLS: '1' })).toBe(true);
  });
});
