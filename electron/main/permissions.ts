/**
 * Permission requests from the page (camera, notifications, geolocation, clipboard read, HID...)
 * are all denied: the console needs none of them, and desktop notifications are shown by the main
 * process. https://www.electronjs.org/docs/latest/tutorial/security#5-handle-session-permission-requests-from-remote-content
 */
import type { HostLog } from './host-like.js';

export interface PermissionSession {
  setPermissionRequestHandler(
    handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
}

export function denyAllPermissions(session: PermissionSession, log: HostLog): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log('info', 'permission request denied', { permission });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
