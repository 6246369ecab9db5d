import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTwitchOAuthServer, type TwitchOAuthServer } from '../../../../test/support/twitch-oauth-server.js';
import { pollDeviceToken, requestDeviceCode, TwitchTokenManager } from './device-auth.js';
import { keyFileCipher, TwitchTokenStore } from './token-store.js';

const CLIENT_ID = 'public-client-id';
let server: TwitchOAuthServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function tempStore() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bitbrat-twitch-'));
  const warnings: string[] = [];
  const keyPath = path.join(dir, 'twitch.key');
  const store = new TwitchTokenStore(
    path.join(dir, 'twitch-tokens.enc'),
    keyFileCipher(keyPath, (m) => warnings.push(m)),
  );
  return { dir, keyPath, store, warnings };
}

describe('encrypted token store', () => {
  it('keeps tokens encrypted with a 0600 key file and warns once about headless mode', () => {
    const { dir, keyPath, store, warnings } = tempStore();
    store.set('bot', {
      accessToken: 'secret-access',
      refreshToken: 'secret-refresh',
      scopes: ['chat:read'],
      expiresAt: 1,
    });
    expect(fs.statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(1);
    const onDisk = fs.readFileSync(path.join(dir, 'twitch-tokens.enc'));
    expect(onDisk.includes(Buffer.from('secret'))).toBe(false);
    // A second process reading the same files (no new warning, same key).
    const again = new TwitchTokenStore(
      path.join(dir, 'twitch-tokens.enc'),
      keyFileCipher(keyPath, (m) => warnings.push(m)),
    );
    expect(again.get('bot')?.refreshToken).toBe('secret-refresh');
    expect(warnings).toHaveLength(1);
    // Tampering is detected (GCM authentication), not decrypted into garbage.
    onDisk.writeUInt8(onDisk.readUInt8(onDisk.length - 1) ^ 0xff, onDisk.length - 1);
    fs.writeFileSync(path.join(dir, 'twitch-tokens.enc'), onDisk);
    expect(() => again.get('bot')).toThrow();
  });

  it('refuses a key file others can read', () => {
    const { keyPath } = tempStore();
    fs.writeFileSync(keyPath, Buffer.alloc(32, 1), { mode: 0o644 });
    fs.chmodSync(keyPath, 0o644);
    expect(() => keyFileCipher(keyPath, () => undefined)).toThrow(/readable by others/);
  });
});

describe('device code login and refresh against a local Twitch OAuth server', () => {
  it('logs in with the device flow once the user approves the code', async () => {
    server = await startTwitchOAuthServer({ clientId: CLIENT_ID });
    const options = { clientId: CLIENT_ID, baseUrl: server.baseUrl, sleep: async () => undefined };
    const scopes = ['chat:read', 'chat:edit'];
    const code = await requestDeviceCode(options, scopes);
    expect(code.userCode).toBe('CODE1');
    expect(code.verificationUri).toMatch(/twitch\.tv\/activate/);
    let polls = 0;
    const token = await pollDeviceToken(
      { ...options, sleep: async () => void (++polls === 3 && server!.approve('CODE1')) },
      code,
      scopes,
    );
    expect(polls).toBe(3);
    expect(token).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1', scopes });
    expect(server.calls.deviceToken).toBe(4);
  });

  it('refreshes once for many concurrent callers, and marks a revoked account as needing login', async () => {
    server = await startTwitchOAuthServer({ clientId: CLIENT_ID });
    const { store } = tempStore();
    let now = 1_000_000;
    const manager = new TwitchTokenManager('bot', store, {
      clientId: CLIENT_ID,
      baseUrl: server.baseUrl,
      now: () => now,
    });
    expect(manager.state).toBe('absent');
    await expect(manager.accessToken()).rejects.toMatchObject({ code: 'needs-login' });
    // Seed a token issued by the server: approve a device login.
    const code = await requestDeviceCode({ clientId: CLIENT_ID, baseUrl: server.baseUrl }, ['chat:read']);
    server.approve(code.userCode);
    manager.link(
      await pollDeviceToken({ clientId: CLIENT_ID, baseUrl: server.baseUrl, now: () => now }, code, ['chat:read']),
    );
    expect(await manager.accessToken()).toBe('access-1');

    now += 14_400_000; // expired
    server.refreshDelayMs = 50;
    const tokens = await Promise.all(Array.from({ length: 10 }, () => manager.accessToken()));
    expect(new Set(tokens)).toEqual(new Set(['access-2']));
    expect(server.calls.refresh).toBe(1);
    expect(manager.refreshCount).toBe(1);
    expect(store.get('bot')?.refreshToken).toBe('refresh-2');

    server.revokeRefreshToken('refresh-2');
    now += 14_400_000;
    await expect(manager.accessToken()).rejects.toMatchObject({ code: 'needs-login' });
    expect(manager.state).toBe('needs-login');
    // No hammering Twitch with a dead token.
    await expect(manager.accessToken()).rejects.toMatchObject({ code: 'needs-login' });
    expect(server.calls.refresh).toBe(2);
  });
});
