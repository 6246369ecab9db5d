/**
 * Export and import of the configuration (pipeline/core/config-export.ts). The export is built from
 * the stored rows; an import is checked item by item, compared with what is stored (the dry-run
 * preview), and applied as one store batch — one transaction, so a failed import changes nothing.
 * Nothing is deleted by an import: items it does not mention stay as they are.
 */
import type { CommandDefinition, StoreWrite } from '../../core/protocol/store.js';
import {
  CONFIG_FORMAT,
  CONFIG_VERSION,
  compareSection,
  type ConfigFile,
  type ImportPreview,
} from '../../core/config-export.js';
import type { Settings } from '../../core/host-api.js';
import type { Persona } from '../../core/llm.js';
import { checkRule, type Rule } from '../../core/rules.js';
import type { FeatureReader } from './feature-reader.js';

export interface ConfigSources {
  rules(): Rule[];
  commands(): CommandDefinition[];
  personas(): Persona[];
  settings(): Settings;
  features: Pick<FeatureReader, 'counters' | 'counterValues' | 'timers' | 'listQuotes'>;
}

const ALL = 1_000_000;

export function exportConfig(sources: ConfigSources, now: number): ConfigFile {
  const values = sources.features.counterValues({ limit: ALL });
  return {
    format: CONFIG_FORMAT,
    version: CONFIG_VERSION,
    exportedAt: now,
    rules: sources.rules(),
    // Stored commands were checked with CommandSchema when loaded; only the role type is wider.
    commands: sources.commands() as ConfigFile['commands'],
    personas: sources.personas(),
    timers: sources.features.timers(),
    counters: sources.features.counters().map((counter) => ({
      counter,
      values: values
        .filter((value) => value.name === counter.name)
        .map((value) => ({ scopeKey: value.scopeKey, value: value.value })),
    })),
    quotes: sources.features
      .listQuotes({ limit: ALL })
      .reverse()
      .map(({ text, saidBy, addedBy, addedAt, game }) => ({ text, saidBy, addedBy, addedAt, game })),
    settings: sources.settings(),
  };
}

export type ImportPlan = { ok: true; preview: ImportPreview; ops: StoreWrite[] } | { ok: false; errors: string[] };

const byKey = <T>(items: readonly T[], key: (item: T) => string) => new Map(items.map((item) => [key(item), item]));
const quoteKey = (quote: { saidBy: string; text: string }) => `${quote.saidBy} — ${quote.text.slice(0, 60)}`;

/** What an import would change, and the writes that change it. */
export function planImport(sources: ConfigSources, file: ConfigFile, now: number): ImportPlan {
  // The schema checked shapes; a rule's `when` must also compile.
  const errors = file.rules.flatMap((rule, index) => {
    const check = checkRule(rule);
    return check.ok ? [] : [`rules.${index}: ${check.error}`];
  });
  if (errors.length > 0) return { ok: false, errors };

  const current = exportConfig(sources, now);
  const counterItem = (entry: ConfigFile['counters'][number]) => ({
    counter: entry.counter,
    values: [...entry.values].sort((a, b) => a.scopeKey.localeCompare(b.scopeKey)),
  });
  const settingKeys = Object.keys(file.settings) as (keyof Settings)[];
  const preview: ImportPreview = {
    rules: compareSection(
      byKey(current.rules, (r) => r.id),
      byKey(file.rules, (r) => r.id),
    ),
    commands: compareSection(
      byKey(current.commands, (c) => c.id),
      byKey(file.commands, (c) => c.id),
    ),
    personas: compareSection(
      byKey(current.personas, (p) => p.id),
      byKey(file.personas, (p) => p.id),
    ),
    timers: compareSection(
      byKey(current.timers, (t) => t.id),
      byKey(file.timers, (t) => t.id),
    ),
    counters: compareSection(
      new Map(current.counters.map((entry) => [entry.counter.name, counterItem(entry)])),
      new Map(file.counters.map((entry) => [entry.counter.name, counterItem(entry)])),
    ),
    // Quotes have no id across installs: one with the same author and text is the same quote.
    quotes: compareSection(
      new Map(current.quotes.map((quote) => [quoteKey(quote), quote.text])),
      new Map(file.quotes.map((quote) => [quoteKey(quote), quote.text])),
    ),
    settings: compareSection(
      new Map(settingKeys.map((key) => [key, current.settings[key]])),
      new Map(settingKeys.map((key) => [key, file.settings[key]])),
    ),
  };

  const wanted = (section: keyof ImportPreview, key: string) =>
    preview[section].added.includes(key) || preview[section].changed.includes(key);
  const ops: StoreWrite[] = [
    ...file.rules.filter((rule) => wanted('rules', rule.id)).map((rule) => ({ op: 'rule.upsert' as const, rule })),
    ...file.commands
      .filter((command) => wanted('commands', command.id))
      .map((command) => ({ op: 'command.upsert' as const, command })),
    ...file.personas
      .filter((persona) => wanted('personas', persona.id))
      .map((persona) => ({ op: 'persona.upsert' as const, persona, at: now })),
    ...file.timers
      .filter((timer) => wanted('timers', timer.id))
      .map((timer) => ({ op: 'timer.upsert' as const, timer, at: now })),
    ...file.counters
      .filter((entry) => wanted('counters', entry.counter.name))
      .flatMap((entry): StoreWrite[] => [
        { op: 'counter.define', counter: entry.counter, at: now },
        ...entry.values.map((value) => ({
          op: 'counter.setValue' as const,
          name: entry.counter.name,
          scopeKey: value.scopeKey,
          value: value.value,
          at: now,
        })),
      ]),
    ...file.quotes
      .filter((quote) => preview.quotes.added.includes(quoteKey(quote)))
      .map((quote) => ({ op: 'quote.add' as const, eventId: null, ...quote, at: quote.addedAt })),
    ...settingKeys
      .filter((key) => wanted('settings', key))
      .map((key) => ({ op: 'setting.set' as const, key, value: file.settings[key] })),
  ];
  return { ok: true, preview, ops };
}
