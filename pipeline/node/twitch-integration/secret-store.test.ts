/** The headless secret store: encrypted file, 0600 key, one warning, and a clear error for a bad file. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { FileSecretStore, HEADLESS_SECRETS_FILE, HEADLESS_SECRETS_KEY } from './secret-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bitbrat-secrets-'));
  dirs.push(dir);
  return dir;
}

it('stores secrets encrypted, with a 0600 key file, and warns once', async () => {
  const dir = tempDir();
  const warnings: string[] = [];
  const store = new FileSecretStore(dir, (message) => warnings.push(message));
  expect(await store.get('llm.apiKey')).toBeNull();
  expect(warnings).toHaveLength(0);
  await Promise.all([
    store.set('llm.apiKey', 'sk-very-secret-key'),
    store.set('twitch.bot', '{"accessToken":"tok-1"}'),
  ]);
  expect(await store.get('llm.apiKey')).toBe('sk-very-secret-key');
  expect(await store.get('twitch.bot')).toBe('{"accessToken":"tok-1"}');
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/protected only by\s+file permissions/);
  const sealed = readFileSync(join(dir, HEADLESS_SECRETS_FILE));
  expect(sealed.includes('sk-very-secret-key')).toBe(false);
  expect(sealed.includes('tok-1')).toBe(false);
  if (process.platform !== 'win32') {
    expect(statSync(join(dir, HEADLESS_SECRETS_KEY)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, HEADLESS_SECRETS_FILE)).mode & 0o777).toBe(0o600);
  }
  // Another store on the same folder (the next start) reads them back.
  const reopened = new FileSecretStore(dir, () => undefined);
  expect(await reopened.get('llm.apiKey')).toBe('sk-very-secret-key');
  expect(await reopened.delete('llm.apiKey')).toBe(true);
  expect(await reopened.get('llm.apiKey')).toBeNull();
  expect(await reopened.get('twitch.bot')).toBe('{"accessToken":"tok-1"}');
});

it('refuses bad names and explains an undecryptable file', async () => {
  const dir = tempDir();
  const store = new FileSecretStore(dir, () => undefined);
  await expect(store.get('../etc/passwd')).rejects.toThrow(/invalid secret name/);
  await store.set('llm.apiKey', 'k');
  writeFileSync(join(dir, HEADLESS_SECRETS_FILE), 'garbage');
  await expect(new FileSecretStore(dir, () => undefined).get('llm.apiKey')).rejects.toThrow(
    /cannot be decrypted.*link the accounts again/,
  );
});
