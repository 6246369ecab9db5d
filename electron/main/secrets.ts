/**
 * Secrets (Twitch tokens, LLM API keys) encrypted with Electron's safeStorage and kept in
 * secrets.json (mode 0600) in the data folder, never in SQLite. Uses the async API (Electron 45
 * deprecates the sync one: https://www.electronjs.org/docs/latest/api/safe-storage). On Linux
 * without a keyring Chromium falls back to `basic_text`, which is obfuscation with a hard-coded key:
 * the streamer is told so instead of being given a false sense of safety.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import { z } from 'zod';

export type SafeStorageLike = Pick<
  SafeStorage,
  'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'
>;

export interface SecretProtection {
  /** Encrypted with a key the OS protects (Keychain, DPAPI, libsecret, KWallet). */
  protected: boolean;
  available: boolean;
  backend: string;
  /** One sentence for the streamer when secrets are not keyring-protected, else null. */
  warning: string | null;
}

export async function describeSecretProtection(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform,
): Promise<SecretProtection> {
  const available = await safeStorage.isAsyncEncryptionAvailable();
  if (!available) {
    return {
      protected: false,
      available,
      backend: 'none',
      warning: 'This system offers no way to encrypt secrets, so BitBrat will not store tokens or API keys.',
    };
  }
  if (platform !== 'linux') {
    return { protected: true, available, backend: platform === 'darwin' ? 'keychain' : 'dpapi', warning: null };
  }
  const backend = safeStorage.getSelectedStorageBackend();
  if (backend === 'basic_text' || backend === 'unknown') {
    return {
      protected: false,
      available,
      backend,
      warning:
        'No desktop keyring was found (GNOME Keyring or KWallet), so your Twitch tokens and API keys are stored with a fixed key and are not protected by a password.',
    };
  }
  return { protected: true, available, backend, warning: null };
}

const SecretFileSchema = z.object({ version: z.literal(1), entries: z.record(z.string(), z.string()) });
type SecretFile = z.infer<typeof SecretFileSchema>;

const NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/i;

export class SecretStoreError extends Error {
  constructor(
    message: string,
    readonly code: 'SECRETS_UNAVAILABLE' | 'SECRETS_CORRUPT' | 'INVALID_NAME',
  ) {
    super(message);
    this.name = 'SecretStoreError';
  }
}

/** Named secrets, encrypted one by one; the file holds base64 ciphertexts only. */
export class SecretStore {
  private constructor(
    private readonly file: string,
    private readonly safeStorage: SafeStorageLike,
    readonly protection: SecretProtection,
  ) {}

  static async open(file: string, safeStorage: SafeStorageLike, platform: NodeJS.Platform): Promise<SecretStore> {
    return new SecretStore(file, safeStorage, await describeSecretProtection(safeStorage, platform));
  }

  private read(): SecretFile {
    let raw: string;
    try {
      raw = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, entries: {} };
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new SecretStoreError(`${path.basename(this.file)} is not valid JSON`, 'SECRETS_CORRUPT');
    }
    const parsed = SecretFileSchema.safeParse(json);
    if (!parsed.success) throw new SecretStoreError(`${path.basename(this.file)} is malformed`, 'SECRETS_CORRUPT');
    return parsed.data;
  }

  private write(data: SecretFile): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(data)}\n`, { mode: 0o600 });
    renameSync(temp, this.file);
    chmodSync(this.file, 0o600);
  }

  private check(name: string): void {
    if (!NAME.test(name)) throw new SecretStoreError(`invalid secret name "${name.slice(0, 40)}"`, 'INVALID_NAME');
    if (!this.protection.available) {
      throw new SecretStoreError(this.protection.warning ?? 'encryption unavailable', 'SECRETS_UNAVAILABLE');
    }
  }

  async set(name: string, value: string): Promise<void> {
    this.check(name);
    const encrypted = await this.safeStorage.encryptStringAsync(value);
    const data = this.read();
    data.entries[name] = encrypted.toString('base64');
    this.write(data);
  }

  async get(name: string): Promise<string | null> {
    this.check(name);
    const encoded = this.read().entries[name];
    if (encoded === undefined) return null;
    const { result, shouldReEncrypt } = await this.safeStorage.decryptStringAsync(Buffer.from(encoded, 'base64'));
    // The OS rotated the key (or a better backend appeared): store it again under the new one.
    if (shouldReEncrypt) await this.set(name, result);
    return result;
  }

  async delete(name: string): Promise<boolean> {
    this.check(name);
    const data = this.read();
    if (!(name in data.entries)) return false;
    delete data.entries[name];
    this.write(data);
    return true;
  }

  names(): string[] {
    return Object.keys(this.read().entries);
  }
}
