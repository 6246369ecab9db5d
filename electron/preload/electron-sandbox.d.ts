/**
 * What a sandboxed preload can use from `electron`, for tsconfig.preload.json only (its `paths` maps
 * `electron` here). Electron's own typings reference @types/node, which would hand the preload
 * `process`, `Buffer` and `require('fs')` that a sandboxed preload does not have
 * (https://www.electronjs.org/docs/latest/tutorial/sandbox#preload-scripts). These are the members
 * the preload uses, as Electron declares them; tsconfig.node.json checks the same files against
 * Electron's real typings, so a signature that drifts fails there.
 */
export interface IpcRendererEvent {
  readonly sender: unknown;
}

export declare const contextBridge: {
  exposeInMainWorld(apiKey: string, api: unknown): void;
};

export declare const ipcRenderer: {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
};
