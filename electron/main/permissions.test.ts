import { describe, expect, it } from 'vitest';
import { denyAllPermissions, type PermissionSession } from './permissions.js';

describe('page permissions', () => {
  it('are all denied: requests, checks and devices', () => {
    let request: Parameters<PermissionSession['setPermissionRequestHandler']>[0] | null = null;
    let check: Parameters<PermissionSession['setPermissionCheckHandler']>[0] | null = null;
    let device: Parameters<PermissionSession['setDevicePermissionHandler']>[0] | null = null;
    const logged: unknown[] = [];
    denyAllPermissions(
      {
        setPermissionRequestHandler: (handler) => (request = handler),
        setPermissionCheckHandler: (handler) => (check = handler),
        setDevicePermissionHandler: (handler) => (device = handler),
      },
      (_level, _message, fields) => logged.push(fields),
    );
    const answers: boolean[] = [];
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      request!({}, permission, (granted) => answers.push(granted));
      expect(check!({}, permission)).toBe(false);
    }
    expect(answers).toEqual([false, false, false, false, false]);
    expect(device!({ deviceType: 'hid' })).toBe(false);
    expect(logged[0]).toEqual({ permission: 'media' });
  });
});
