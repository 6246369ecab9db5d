/**
 * `window.bitbrat`: where the Electron preload puts its Bridge (pipeline/core/bridge.ts). Declared
 * here, not in core, because core has no DOM.
 */
import type { Bridge } from '../../pipeline/core/bridge.js';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge). Absent in the browser console. */
    bitbrat?: Bridge;
  }
}
