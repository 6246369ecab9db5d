/**
 * The host's handlers for the feature methods of the HostApi (pipeline/core/feature-api.ts).
 * Reads use the host's read-only connection; writes go to the store worker and are committed
 * before the answer, so the console's next list shows them.
 */
import { CounterSchema } from '../../core/counters.js';
import { describeIssues } from '../../core/envelope.js';
import type { FeatureApi } from '../../core/feature-api.js';
import type { StoreWrite } from '../../core/protocol/store.js';
import { QuoteEditSchema } from '../../core/quotes.js';
import { TimerSchema } from '../../core/timers.js';
import type Database from 'better-sqlite3';
import { backupFolder, cancelRestore, createBackup, listBackups, pendingRestore, scheduleRestore } from './backups.js';
import { checkConfigFile } from '../../core/config-export.js';
import { exportConfig, planImport, type ConfigSources } from './config-transfer.js';
import { parseFirebotFiles } from '../../core/firebot-format.js';
import { mapFirebotProfile } from '../../core/firebot-import.js';
import { readFirebotPath, readFirebotZip } from './firebot-source.js';
import type { FeatureReader } from './feature-reader.js';
import type { GiveawayReader } from './giveaway-store.js';

export interface FeatureApiDeps {
  reader: FeatureReader;
  giveaways: GiveawayReader;
  commit(batch: StoreWrite[]): Promise<void>;
  now?: () => number;
  /** Backups: the data folder, a connection to copy from, and how many to keep. */
  backups: { dataDir: string; db: Pick<Database.Database, 'backup'>; keep(): number };
  /** Export/import: the rest of the configuration, and what to reload after an import. */
  config?: {
    sources: Omit<ConfigSources, 'features'>;
    /** After an import's batch committed: the workers and connections pick up what it changed. */
    afterImport(ops: readonly StoreWrite[]): Promise<void>;
  };
}

export function createFeatureApi(deps: FeatureApiDeps): FeatureApi {
  const now = deps.now ?? Date.now;
  const { reader, commit } = deps;
  /** An import's ops in one store batch (none for a dry run or nothing to change); true when written. */
  const applyPlan = async (ops: readonly StoreWrite[], dryRun: boolean): Promise<boolean> => {
    if (dryRun || ops.length === 0 || !deps.config) return false;
    await commit([...ops]);
    await deps.config.afterImport(ops);
    return true;
  };
  return {
    'counters.list': async () => reader.counters(),
    'counters.save': async ({ counter }) => {
      const parsed = CounterSchema.safeParse(counter);
      if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) };
      const command = parsed.data.command.toLowerCase();
      const clash = reader
        .counters()
        .find((other) => other.name !== parsed.data.name && command !== '' && other.command.toLowerCase() === command);
      if (clash)
        return { ok: false, error: `command: ${parsed.data.command} already belongs to counter ${clash.name}` };
      await commit([{ op: 'counter.define', counter: parsed.data, at: now() }]);
      return { ok: true, value: parsed.data };
    },
    'counters.delete': async ({ name }) => {
      if (!reader.counters().some((counter) => counter.name === name)) return { ok: false };
      await commit([{ op: 'counter.remove', name }]);
      return { ok: true };
    },
    'counters.values': async ({ name, limit = 200 }) => reader.counterValues({ ...(name ? { name } : {}), limit }),
    'counters.setValue': async ({ name, scopeKey = '', value }) => {
      const counter = reader.counters().find((candidate) => candidate.name === name);
      if (!counter) return { ok: false, error: `name: no counter "${name}"` };
      if (counter.scope === 'global' && scopeKey !== '')
        return { ok: false, error: 'scopeKey: a global counter has one value' };
      if (counter.scope === 'user' && scopeKey === '') return { ok: false, error: 'scopeKey: name the user (login)' };
      const at = now();
      await commit([{ op: 'counter.setValue', name, scopeKey, value, at }]);
      return { ok: true, value: { name, scopeKey, value: reader.counterValue(name, scopeKey), updatedAt: at } };
    },
    'giveaways.list': async ({ limit = 20 }) => deps.giveaways.list(limit),
    'giveaways.entries': async ({ id, limit = 1000 }) => deps.giveaways.entries(id, limit),
    'quotes.list': async ({ search, limit = 200 }) => reader.listQuotes({ ...(search ? { search } : {}), limit }),
    'quotes.save': async ({ id, quote, moderator }) => {
      const parsed = QuoteEditSchema.safeParse(quote);
      if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) };
      if (id !== undefined) {
        if (!reader.quote(id)) return { ok: false, error: `id: there is no quote #${id}` };
        await commit([{ op: 'quote.update', id, quote: parsed.data }]);
        return { ok: true, value: reader.quote(id)! };
      }
      const before = reader.listQuotes({ limit: 1 })[0]?.id ?? 0;
      await commit([
        {
          op: 'quote.add',
          eventId: null,
          text: parsed.data.text,
          saidBy: parsed.data.saidBy,
          addedBy: `console:${moderator}`,
          game: parsed.data.game,
          at: now(),
        },
      ]);
      const added = reader.listQuotes({ limit: 1 })[0];
      if (!added || added.id <= before) return { ok: false, error: 'the quote was not stored' };
      return { ok: true, value: added };
    },
    'quotes.delete': async ({ id }) => {
      if (!reader.quote(id)) return { ok: false };
      await commit([{ op: 'quote.delete', id }]);
      return { ok: true };
    },
    'backups.list': async () => ({
      folder: backupFolder(deps.backups.dataDir),
      backups: listBackups(deps.backups.dataDir),
      pending: pendingRestore(deps.backups.dataDir),
    }),
    'backups.create': async () => {
      try {
        return {
          ok: true,
          value: await createBackup(deps.backups.db, deps.backups.dataDir, { keep: deps.backups.keep(), now: now() }),
        };
      } catch (error) {
        return { ok: false, error: `backup failed: ${error instanceof Error ? error.message : String(error)}` };
      }
    },
    'backups.restore': async ({ file, moderator }) => scheduleRestore(deps.backups.dataDir, file, moderator, now()),
    'backups.cancelRestore': async () => ({ ok: cancelRestore(deps.backups.dataDir) }),
    'config.export': async () => {
      if (!deps.config) throw new Error('export is not available here');
      return exportConfig({ ...deps.config.sources, features: reader }, now());
    },
    'config.import': async ({ file, dryRun = true }) => {
      if (!deps.config) return { ok: false, errors: ['(file): import is not available here'] };
      const checked = checkConfigFile(file);
      if (!checked.ok) return checked;
      const plan = planImport({ ...deps.config.sources, features: reader }, checked.file, now());
      if (!plan.ok) return plan;
      return { ok: true, preview: plan.preview, applied: await applyPlan(plan.ops, dryRun) };
    },
    'firebot.import': async ({ source, profile, dryRun = true }) => {
      if (!deps.config) return { ok: false, errors: ['(source): import is not available here'] };
      const options = profile === undefined ? {} : { profile };
      const read =
        source.kind === 'upload'
          ? await readFirebotZip(Buffer.from(source.zipBase64, 'base64'), options)
          : await readFirebotPath(source.path, options);
      if (!read.ok) return read;
      const parsed = parseFirebotFiles(read.files);
      if (!parsed.ok) return parsed;
      const sources = { ...deps.config.sources, features: reader };
      const at = now();
      const mapping = mapFirebotProfile(
        parsed.profile,
        { commands: sources.commands(), counters: reader.counters() },
        at,
      );
      // The configuration import does the rest: the same preview, one store batch.
      const plan = planImport(sources, mapping.file, at);
      if (!plan.ok) return plan;
      return {
        ok: true,
        profile: read.profile,
        preview: plan.preview,
        skipped: mapping.skipped,
        applied: await applyPlan(plan.ops, dryRun),
      };
    },
    'timers.list': async () => {
      const states = reader.timerStates();
      return reader.timers().map((timer) => ({ ...timer, lastSentAt: states.get(timer.id)?.lastSentAt ?? null }));
    },
    'timers.save': async ({ timer }) => {
      const parsed = TimerSchema.safeParse(timer);
      if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) };
      await commit([{ op: 'timer.upsert', timer: parsed.data, at: now() }]);
      return { ok: true, value: parsed.data };
    },
    'timers.delete': async ({ id }) => {
      if (!reader.timers().some((timer) => timer.id === id)) return { ok: false };
      await commit([{ op: 'timer.delete', id }]);
      return { ok: true };
    },
  };
}

/** The timer `serve --demo` shows when the data folder has none: every minute after five chat lines. */
export const DEMO_TIMER = {
  id: 'demo-tip',
  name: 'Demo tip',
  enabled: true,
  intervalMinutes: 1,
  minChatLines: 5,
  onlyWhenLive: true,
  rotation: 'in-order' as const,
  messages: [
    'This is a timer: live for {uptime}, deaths so far {count:deaths}. Edit me under Timers, counters & quotes.',
    'Try !quote, or !deaths if you are a moderator.',
  ],
};

export async function seedDemoTimer(api: Pick<FeatureApi, 'timers.list' | 'timers.save'>): Promise<void> {
  if ((await api['timers.list']({})).length > 0) return;
  await api['timers.save']({ timer: DEMO_TIMER });
}
