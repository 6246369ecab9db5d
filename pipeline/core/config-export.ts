/**
 * The configuration as one versioned JSON file: rules, commands, personas, timers, counters (with
 * their values), quotes and settings. Never secrets: tokens, API keys and webhook secrets live in
 * the secret store or are stored hashed/encrypted and are not part of this shape at all (the LLM
 * settings carry only `apiKeyRef`, the name of a secret, never the key).
 *
 * An import is parsed with this schema (errors name the field, e.g. `rules.2.when`), then compared
 * with what is stored: the preview lists what would be added and changed, and nothing is deleted.
 */
import { issueLines } from './zod-issues.js';
import { z } from 'zod';
import { CommandSchema } from './commands.js';
import { CounterSchema } from './counters.js';
import { SettingsSchema } from './host-api.js';
import { PersonaSchema } from './llm.js';
import { MAX_QUOTE_TEXT } from './quotes.js';
import { RuleSchema } from './rules.js';
import { TimerSchema } from './timers.js';

export const CONFIG_FORMAT = 'bitbrat-config';
export const CONFIG_VERSION = 1;

const QuoteExportSchema = z.object({
  text: z.string().trim().min(1).max(MAX_QUOTE_TEXT),
  saidBy: z.string().trim().min(1).max(100),
  addedBy: z.string().trim().min(1).max(100),
  addedAt: z.number(),
  game: z.string().max(100).nullable().default(null),
});

export const ConfigFileSchema = z.object({
  format: z.literal(CONFIG_FORMAT),
  version: z.literal(CONFIG_VERSION),
  exportedAt: z.number(),
  rules: z.array(RuleSchema).max(1000).default([]),
  commands: z.array(CommandSchema).max(1000).default([]),
  personas: z.array(PersonaSchema).max(200).default([]),
  timers: z.array(TimerSchema).max(200).default([]),
  counters: z
    .array(
      z.object({
        counter: CounterSchema,
        values: z
          .array(z.object({ scopeKey: z.string().max(100), value: z.number().int() }))
          .max(100_000)
          .default([]),
      }),
    )
    .max(500)
    .default([]),
  quotes: z.array(QuoteExportSchema).max(100_000).default([]),
  /** Any subset of the settings; keys left out keep their current value. */
  settings: SettingsSchema.partial().default({}),
});
export type ConfigFile = z.infer<typeof ConfigFileSchema>;
export type ConfigSection = 'rules' | 'commands' | 'personas' | 'timers' | 'counters' | 'quotes' | 'settings';
export const CONFIG_SECTIONS: readonly ConfigSection[] = [
  'rules',
  'commands',
  'personas',
  'timers',
  'counters',
  'quotes',
  'settings',
];

export interface SectionChanges {
  added: string[];
  changed: string[];
  unchanged: number;
}
export type ImportPreview = Record<ConfigSection, SectionChanges>;

export type ConfigCheck = { ok: true; file: ConfigFile } | { ok: false; errors: string[] };

/** Parses an import; every problem names its field (`commands.3.trigger.pattern: ...`). */
export function checkConfigFile(input: unknown): ConfigCheck {
  const parsed = ConfigFileSchema.safeParse(input);
  if (parsed.success) return { ok: true, file: parsed.data };
  return {
    ok: false,
    errors: issueLines(parsed.error, { root: '(file)', limit: 50 }),
  };
}

/** Stable JSON for comparing a stored item with an imported one (key order does not matter). */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/** Added and changed keys of one section: `current` and `incoming` map a key to the item. */
export function compareSection(
  current: ReadonlyMap<string, unknown>,
  incoming: ReadonlyMap<string, unknown>,
): SectionChanges {
  const changes: SectionChanges = { added: [], changed: [], unchanged: 0 };
  for (const [key, item] of incoming) {
    const stored = current.get(key);
    if (stored === undefined) changes.added.push(key);
    else if (canonical(stored) !== canonical(item)) changes.changed.push(key);
    else changes.unchanged += 1;
  }
  return changes;
}
