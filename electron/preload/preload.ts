/**
 * The preload of the main window. Bundled into ONE CommonJS file (dist/electron/preload.cjs) by
 * scripts/build-electron.mjs: a sandboxed preload cannot `require` anything but a few Electron
 * modules (https://www.electronjs.org/docs/latest/tutorial/sandbox#preload-scripts).
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { Bridge } from '../../pipeline/core/bridge.js';
import { BRIDGE_GLOBAL, createDesktopBridge } from './desktop-bridge.js';

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, createDesktopBridge(ipcRenderer) satisfies Bridge);
