/**
 * Named secrets for the host (Twitch tokens, the LLM API key): never in SQLite, never in logs.
 *
 * The desktop app passes its own store backed by Electron `safeStorage` (electron/main/secrets.ts,
 * which satisfies this interface). The headless host (`bitbrat serve`, replay) has no OS keychain, so
 * it keeps one AES-256-GCM file with the key in a 0600 key file next to it (`keyFileCipher`), and says
 * once per start that the secrets are only as safe as the file permissions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { keyFileCipher, type SecretCipher } from '../connectors/twitch/token-store.js';

export interface SecretStore {
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<unknown>;
  /**
   * Told of a value the moment it exists, before a queued `set` writes it (a token is in use at
   * once, its write may wait its turn): the host's redactor learns it here.
   */
  announce?(name: string, value: string): void;
}

/** The names the host stores under. */
export const SECRET_NAMES = {
  twitchToken: (account: string) => `twitch.${account}`,
  llmApiKey: 'llm.apiKey',
  discordToken: 'discord.token',
  obsPassword: 'obs.password',
} as const;

export const HEADLESS_SECRETS_FILE = 'secrets.enc';
export const HEADLESS_SECRETS_KEY = 'secrets.key';

const NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/i;

/**
 * One encrypted file holding every secret. The cipher (and the key file) is made on first use, so a
 * host that never stores a secret never creates a key.
 */
export class FileSecretStore implements SecretStore {
  private cipher: SecretCipher | null = null;
  private warned = false;
  /** Writes one at a time, so two quick `set`s cannot lose one another. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataDir: string,
    private readonly warn: (message: string) => void,
  ) {}

  get filePath(): string {
    return path.join(this.dataDir, HEADLESS_SECRETS_FILE);
  }

  async get(name: string): Promise<string | null> {
    check(name);
    await this.queue;
    return this.read()[name] ?? null;
  }

  set(name: string, value: string): Promise<void> {
    check(name);
    return this.enqueue(() => {
      const all = this.read();
      all[name] = value;
      this.write(all);
    });
  }

  delete(name: string): Promise<boolean> {
    check(name);
    return this.enqueue(() => {
      const all = this.read();
      if (!(name in all)) return false;
      delete all[name];
      this.write(all);
      return true;
    });
  }

  private enqueue<T>(work: () => T): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private getCipher(): SecretCipher {
    if (!this.cipher) {
      this.cipher = keyFileCipher(path.join(this.dataDir, HEADLESS_SECRETS_KEY), () => undefined);
    }
    if (!this.warned) {
      this.warned = true;
      this.warn(
        `Secrets (Twitch tokens, the LLM API key) are encrypted in ${this.filePath} with a key kept in ` +
          `${HEADLESS_SECRETS_KEY} (mode 0600). Headless mode has no OS keychain: they are protected only by ` +
          'file permissions, so anyone who can read both files as you can read them.',
      );
    }
    return this.cipher;
  }

  private read(): Record<string, string> {
    let sealed: Buffer;
    try {
      sealed = fs.readFileSync(this.filePath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.getCipher().decrypt(sealed).toString('utf8'));
    } catch (error) {
      throw new Error(
        `${this.filePath} cannot be decrypted with ${HEADLESS_SECRETS_KEY} (${error instanceof Error ? error.message : String(error)}); ` +
          'delete both files and link the accounts again',
        { cause: error },
      );
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed as Record<string, unknown>).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
  }

  private write(all: Record<string, string>): void {
    const sealed = this.getCipher().encrypt(Buffer.from(JSON.stringify(all), 'utf8'));
    fs.mkdirSync(this.dataDir, { recursive: true });
    // Write then rename: a crash never leaves half a file (and every token lost).
    const temp = `${this.filePath}.${process.pid}.tmp`;
    fs.writeFileSync(temp, sealed, { mode: 0o600 });
    fs.renameSync(temp, this.filePath);
  }
}

function check(name: string): void {
  if (!NAME.test(name)) throw new Error(`invalid secret name "${name.slice(0, 40)}"`);
}
