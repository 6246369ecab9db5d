/**
 * Secret redaction: the one place configured secret values (the LLM API key, Twitch access and
 * refresh tokens, the console token) are cut out of text before it leaves a thread as a step
 * error, a step note, a log line or a HostApi answer. Each thread (every worker, the host) keeps
 * one redactor and registers the secrets it holds as they arrive; errors become text through it.
 *
 * Why at the text and not at the source: an error message is written by whoever failed (the
 * `openai` SDK quotes a proxy's "Incorrect API key provided: sk-..." verbatim; a library may echo
 * a request), so no caller can promise its errors are clean. The redactor replaces every known
 * secret wherever it appears.
 */

/** Shorter values are not treated as secrets: redacting "abc" would maul ordinary text. */
export const MIN_SECRET_LENGTH = 8;

export interface Redactor {
  /** Registers (or replaces, or with null/empty removes) the secret held under `name`. */
  set(name: string, value: string | null | undefined): void;
  /** `text` with every registered secret replaced by `[redacted <name>]`. */
  redact(text: string): string;
  /** A copy of `value` with every string redacted (objects and arrays walked); the same value when nothing matched. */
  redactValue<T>(value: T): T;
  /** The message of any thrown value, redacted. */
  errorText(error: unknown): string;
  /** Whether any secret is registered (callers skip work when none is). */
  readonly active: boolean;
}

export function createRedactor(): Redactor {
  const secrets = new Map<string, string>();
  const redact = (text: string): string => {
    if (secrets.size === 0 || typeof text !== 'string') return text;
    let out = text;
    for (const [name, value] of secrets) if (out.includes(value)) out = out.split(value).join(`[redacted ${name}]`);
    return out;
  };
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return redact(value);
    if (depth > 20 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      let changed = false;
      const next = value.map((item) => {
        const redacted = walk(item, depth + 1);
        if (redacted !== item) changed = true;
        return redacted;
      });
      return changed ? next : value;
    }
    if (Object.getPrototypeOf(value) !== Object.prototype) {
      return value instanceof Error ? new Error(redact(value.message)) : value;
    }
    let changed = false;
    const next: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const redacted = walk(item, depth + 1);
      if (redacted !== item) changed = true;
      next[key] = redacted;
    }
    return changed ? next : value;
  };
  return {
    set(name, value) {
      if (value && value.length >= MIN_SECRET_LENGTH) secrets.set(name, value);
      else secrets.delete(name);
    },
    redact,
    redactValue: <T>(value: T): T => (secrets.size === 0 ? value : (walk(value, 0) as T)),
    errorText: (error) => redact(error instanceof Error ? error.message : String(error)),
    get active() {
      return secrets.size > 0;
    },
  };
}
