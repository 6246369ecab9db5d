import { describe, expect, it } from 'vitest';
import { createMainWindowOptions } from './window-options.js';

describe('main window options', () => {
  const options = createMainWindowOptions({
    preloadPath: '/app/dist/electron/preload.cjs',
    bounds: { x: 10, y: 20, width: 1000, height: 700 },
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
      preload: '/app/dist/electron/preload.cjs',
    });
  });

  it('use the restored bounds and stay hidden until the first paint', () => {
    expect(options).toMatchObject({ x: 10, y: 20, width: 1000, height: 700, show: false });
    expect(options.icon).toBeUndefined();
  });
});
