/**
 * Twitch tokens at rest, encrypted. The desktop app plugs Electron `safeStorage` in as the cipher; the
 * headless host uses AES-256-GCM with a random key in a 0600 key file next to the data (and prints a
 * warning, because anyone who can read both files as this user can read the tokens). Tokens never go
 * into SQLite or logs in clear.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface SecretCipher {
  encrypt(plain: Buffer): Buffer;
  decrypt(sealed: Buffer): Buffer;
}

export interface StoredTwitchToken {
  accessToken: string;
  refreshToken: string | null;
  scopes: string[];
  /** Epoch ms when the access token expires; null when Twitch did not say. */
  expiresAt: number | null;
  login?: string;
  userId?: string;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = Buffer.from('BBT1');

/** AES-256-GCM with a key file readable only by this user (created 0600 on first use). */
export function keyFileCipher(keyPath: string, warn: (message: string) => void = console.warn): SecretCipher {
  let key: Buffer;
  try {
    key = fs.readFileSync(keyPath);
    const mode = fs.statSync(keyPath).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new Error(`key file ${keyPath} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    key = randomBytes(KEY_BYTES);
    fs.mkdirSync(path.dirname(keyPath), { recursive: true });
    fs.writeFileSync(keyPath, key, { mode: 0o600, flag: 'wx' });
    warn(
      `Twitch tokens are encrypted with a key kept in ${keyPath} (mode 0600). ` +
        'Headless mode has no OS keychain: anyone who can read that file as you can read the tokens.',
    );
  }
  if (key.length !== KEY_BYTES) throw new Error(`key file ${keyPath} is not a ${KEY_BYTES}-byte key`);
  return {
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([FORMAT, iv, cipher.getAuthTag(), body]);
    },
    decrypt(sealed) {
      if (sealed.length < FORMAT.length + IV_BYTES + TAG_BYTES || !sealed.subarray(0, 4).equals(FORMAT)) {
        throw new Error('not an encrypted token file');
      }
      const iv = sealed.subarray(4, 4 + IV_BYTES);
      const tag = sealed.subarray(4 + IV_BYTES, 4 + IV_BYTES + TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed.subarray(4 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    },
  };
}

/** One encrypted file holding every linked account's token, by account name (`broadcaster`, `bot`). */
export class TwitchTokenStore {
  constructor(
    private readonly filePath: string,
    private readonly cipher: SecretCipher,
  ) {}

  load(): Record<string, StoredTwitchToken> {
    let sealed: Buffer;
    try {
      sealed = fs.readFileSync(this.filePath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    const parsed: unknown = JSON.parse(this.cipher.decrypt(sealed).toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, StoredTwitchToken>) : {};
  }

  get(account: string): StoredTwitchToken | null {
    return this.load()[account] ?? null;
  }

  set(account: string, token: StoredTwitchToken | null): void {
    const all = this.load();
    if (token) all[account] = token;
    else delete all[account];
    const temp = `${this.filePath}.${process.pid}.tmp`;
    fs.mkdirSync(path.dirname(this.filePath), { recursive: true });
    // Write then rename, so a crash never leaves half a file (and the tokens lost).
    fs.writeFileSync(temp, this.cipher.encrypt(Buffer.from(JSON.stringify(all), 'utf8')), { mode: 0o600 });
    fs.renameSync(temp, this.filePath);
  }
}
