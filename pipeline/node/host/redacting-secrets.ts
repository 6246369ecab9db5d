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

/**
 * Registers `value` under `name` and keeps the value it replaces under `<name> (previous)`: a
 * single-use refresh token is replaced at each refresh, and a server may still quote the old one
 * ("already used").
 */
function keep(redactor: Redactor, known: Map<string, string>, name: string, value: string): void {
  const before = known.get(name);
  if (before !== undefined && before !== value) redactor.set(`${name} (previous)`, before);
  known.set(name, value);
  redactor.set(name, value);
}

function register(redactor: Redactor, known: Map<string, string>, name: string, value: string | null): void {
  if (value === null) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    for (const [field, inner] of Object.entries(parsed as Record<string, unknown>)) {
      if (SECRET_FIELD.test(field) && typeof inner === 'string') keep(redactor, known, `${name}.${field}`, inner);
    }
    return;
  }
  keep(redactor, known, name, value);
}

export function redactingSecretStore(inner: SecretStore, redactor: Redactor): SecretStore {
  const known = new Map<string, string>();
  return {
    async get(name) {
      const value = await inner.get(name);
      register(redactor, known, name, value);
      return value;
    },
    async set(name, value) {
      register(redactor, known, name, value);
      await inner.set(name, value);
    },
    delete: (name) => inner.delete(name),
    announce(name, value) {
      register(redactor, known, name, value);
      inner.announce?.(name, value);
    },
  };
}

/** Every host log line (the host's own and every worker's) passes the redactor. */
export function redactingLog(inner: HostLog, redactor: Redactor): HostLog {
  return (level, message, fields) =>
    inner(level, redactor.redact(message), fields === undefined ? undefined : redactor.redactValue(fields));
}
