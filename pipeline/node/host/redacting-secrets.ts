/**
 * The host's side of secret redaction: every secret the host reads from or writes to its secret
 * store (the LLM key, each Twitch account's access and refresh tokens) is registered with the
 * host's redactor as it passes, so refreshed tokens are covered the moment they exist.
 */
import type { Redactor } from '../../core/redaction.js';
import type { SecretStore } from '../twitch-integration/secret-store.js';
import type { HostLog } from './pipeline-host.js';

/** Fields of a stored JSON secret that are secret themselves (a token record also holds a login and scopes). */
const SECRET_FIELD = /token|key|secret|password/i;

function register(redactor: Redactor, name: string, value: string | null): void {
  if (value === null) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    for (const [field, inner] of Object.entries(parsed as Record<string, unknown>)) {
      if (SECRET_FIELD.test(field) && typeof inner === 'string') redactor.set(`${name}.${field}`, inner);
    }
    return;
  }
  redactor.set(name, value);
}

export function redactingSecretStore(inner: SecretStore, redactor: Redactor): SecretStore {
  return {
    async get(name) {
      const value = await inner.get(name);
      register(redactor, name, value);
      return value;
    },
    async set(name, value) {
      register(redactor, name, value);
      await inner.set(name, value);
    },
    delete: (name) => inner.delete(name),
    announce(name, value) {
      register(redactor, name, value);
      inner.announce?.(name, value);
    },
  };
}

/** Every host log line (the host's own and every worker's) passes the redactor. */
export function redactingLog(inner: HostLog, redactor: Redactor): HostLog {
  return (level, message, fields) =>
    inner(level, redactor.redact(message), fields === undefined ? undefined : redactor.redactValue(fields));
}
