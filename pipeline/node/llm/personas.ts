/**
 * Personas, stored in SQLite as JSON (one row each). Read through a read-only connection; saved and
 * deleted with `LlmStoreWrite` ops through the store worker.
 */
import type Database from 'better-sqlite3';
import { describeIssues } from '../../core/zod-issues.js';
import { DEFAULT_PERSONA, PersonaSchema, type LlmStoreWrite, type Persona, type PersonaInput } from '../../core/llm.js';

export type PersonaLookup =
  | { ok: true; persona: Persona; fallback: false }
  /** The named persona is missing or unreadable: the default persona stands in, and `note` says why. */
  | { ok: true; persona: Persona; fallback: true; note: string };

export interface PersonaStore {
  get(id: string | undefined): PersonaLookup;
  list(): Persona[];
  upsert(input: PersonaInput): { ok: true; persona: Persona } | { ok: false; error: string };
  delete(id: string): void;
}

export interface PersonaStoreDeps {
  db: Pick<Database.Database, 'prepare'>;
  write(op: LlmStoreWrite): void;
  now?: () => number;
}

function parseRow(json: string): Persona | undefined {
  try {
    const parsed = PersonaSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function createPersonaStore(deps: PersonaStoreDeps): PersonaStore {
  const now = deps.now ?? Date.now;
  return {
    get(id) {
      const wanted = id ?? DEFAULT_PERSONA.id;
      const row = deps.db.prepare('SELECT json FROM personas WHERE id = ?').get(wanted) as { json: string } | undefined;
      const persona = row ? parseRow(row.json) : undefined;
      if (persona) return { ok: true, persona, fallback: false };
      if (wanted === DEFAULT_PERSONA.id) return { ok: true, persona: DEFAULT_PERSONA, fallback: false };
      const why = row ? 'is unreadable' : 'does not exist';
      return {
        ok: true,
        persona: DEFAULT_PERSONA,
        fallback: true,
        note: `persona "${wanted}" ${why}: used the default`,
      };
    },
    list() {
      const rows = deps.db.prepare('SELECT json FROM personas ORDER BY id').all() as { json: string }[];
      const personas = rows.map((row) => parseRow(row.json)).filter((p): p is Persona => p !== undefined);
      return personas.some((p) => p.id === DEFAULT_PERSONA.id) ? personas : [DEFAULT_PERSONA, ...personas];
    },
    upsert(input) {
      const parsed = PersonaSchema.safeParse(input);
      if (!parsed.success) {
        return {
          ok: false,
          error: describeIssues(parsed.error),
        };
      }
      deps.write({ op: 'persona.upsert', persona: parsed.data, at: now() });
      return { ok: true, persona: parsed.data };
    },
    delete(id) {
      deps.write({ op: 'persona.delete', id });
    },
  };
}
