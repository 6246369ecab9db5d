import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeSecretProtection, SecretStore, type SafeStorageLike } from './secrets.js';

type Backend = ReturnType<SafeStorageLike['getSelectedStorageBackend']>;

/** A reversible stand-in for safeStorage: real bytes on disk, but never the plain text. */
function fakeSafeStorage(options: { available?: boolean; backend?: Backend; reEncryptOnce?: boolean } = {}) {
  let reEncrypt = options.reEncryptOnce ?? false;
  let encryptions = 0;
  const storage: SafeStorageLike = {
    isAsyncEncryptionAvailable: async () => options.available ?? true,
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
    encryptStringAsync: async (plain) => {
      encryptions++;
      return Buffer.concat([Buffer.from('v10'), Buffer.from(Buffer.from(plain).map((byte) => byte ^ 0x5a))]);
    },
    decryptStringAsync: async (encrypted) => {
      const shouldReEncrypt = reEncrypt;
      reEncrypt = false;
      const body = encrypted.subarray(3).map((byte) => byte ^ 0x5a);
      return { result: Buffer.from(body).toString(), shouldReEncrypt };
    },
  };
  return { storage, encryptions: () => encryptions };
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bitbrat-secrets-'));
  file = path.join(dir, 'secrets.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('secret protection', () => {
  it('reports keyring protection, and warns about the basic_text fallback on Linux', async () => {
    expect(await describeSecretProtection(fakeSafeStorage().storage, 'linux')).toMatchObject({
      protected: true,
      backend: 'gnome_libsecret',
      warning: null,
    });
    const basic = await describeSecretProtection(fakeSafeStorage({ backend: 'basic_text' }).storage, 'linux');
    expect(basic).toMatchObject({ protected: false, available: true, backend: 'basic_text' });
    expect(basic.warning).toMatch(/not protected/);
    // getSelectedStorageBackend is Linux-only; elsewhere the OS store is used.
    expect(await describeSecretProtection(fakeSafeStorage({ backend: 'basic_text' }).storage, 'win32')).toMatchObject({
      protected: true,
      backend: 'dpapi',
    });
    expect(await describeSecretProtection(fakeSafeStorage({ available: false }).storage, 'darwin')).toMatchObject({
      protected: false,
      available: false,
    });
  });
});

describe('the secret store', () => {
  it('stores ciphertext only, in a 0600 file, and reads it back', async () => {
    const store = await SecretStore.open(file, fakeSafeStorage().storage, 'linux');
    await store.set('twitch.bot.refreshToken', 'oauth-token-123');
    await store.set('llm.apiKey', 'sk-abc');
    expect(readFileSync(file, 'utf8')).not.toMatch(/oauth-token-123|sk-abc/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await store.get('twitch.bot.refreshToken')).toBe('oauth-token-123');
    expect(await store.get('missing')).toBeNull();
    expect(store.names().sort()).toEqual(['llm.apiKey', 'twitch.bot.refreshToken']);
    expect(await store.delete('llm.apiKey')).toBe(true);
    expect(await store.delete('llm.apiKey')).toBe(false);
  });

  it('re-encrypts a secret when the OS asks for it', async () => {
    const fake = fakeSafeStorage({ reEncryptOnce: true });
    const store = await SecretStore.open(file, fake.storage, 'darwin');
    await store.set('key', 'value');
    expect(await store.get('key')).toBe('value');
    expect(fake.encryptions()).toBe(2);
  });

  it('refuses to store anything when encryption is unavailable', async () => {
    const store = await SecretStore.open(file, fakeSafeStorage({ available: false }).storage, 'linux');
    await expect(store.set('key', 'value')).rejects.toMatchObject({ code: 'SECRETS_UNAVAILABLE' });
  });

  it('gives clear errors for bad names and a corrupt file', async () => {
    const store = await SecretStore.open(file, fakeSafeStorage().storage, 'linux');
    await expect(store.set('../escape', 'x')).rejects.toMatchObject({ code: 'INVALID_NAME' });
    writeFileSync(file, '{"version":1,"entries":[1]}');
    await expect(store.get('key')).rejects.toMatchObject({ code: 'SECRETS_CORRUPT' });
    writeFileSync(file, 'garbage');
    await expect(store.get('key')).rejects.toMatchObject({ code: 'SECRETS_CORRUPT' });
  });
});
