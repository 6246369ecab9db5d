/**
 * The HostApi methods of the streamer features (counters, quotes, timers, giveaways): params schemas and result
 * types. host-api.ts merges them into the one HostApi, so the transports and the console's bridge
 * derive them like every other method.
 */
import { z } from 'zod';
import type { Counter, CounterValue } from './counters.js';
import { CounterNameSchema, MAX_COUNTER_VALUE } from './counters.js';
import type { Quote } from './quotes.js';
import type { ConfigFile, ImportPreview } from './config-export.js';
import type { Timer } from './timers.js';
import type { Giveaway, GiveawayEntry } from './giveaways.js';
import { MAX_FIREBOT_UPLOAD_BASE64 } from './firebot-format.js';
import type { FirebotSkip } from './firebot-import.js';

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export const FeatureApiParams = {
  'counters.list': z.object({}),
  /** Defines or changes a counter (its value is kept). */
  'counters.save': z.object({ counter: z.unknown() }),
  /** Removes the counter and every value of it. */
  'counters.delete': z.object({ name: CounterNameSchema }),
  'counters.values': z.object({
    name: CounterNameSchema.optional(),
    limit: z.number().int().min(1).max(1000).default(200),
  }),
  /** Sets a value from the console; `scopeKey` is '' for a global counter, a login for a per-user one. */
  'counters.setValue': z.object({
    name: CounterNameSchema,
    scopeKey: z.string().trim().toLowerCase().max(100).default(''),
    value: z.number().int().min(-MAX_COUNTER_VALUE).max(MAX_COUNTER_VALUE),
  }),
  'quotes.list': z.object({
    search: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(1000).default(200),
  }),
  /** Adds (no id) or edits (with id) a quote. */
  'quotes.save': z.object({
    id: z.number().int().positive().optional(),
    quote: z.unknown(),
    moderator: z.string().trim().min(1).max(60),
  }),
  'quotes.delete': z.object({ id: z.number().int().positive() }),
  'timers.list': z.object({}),
  'timers.save': z.object({ timer: z.unknown() }),
  'timers.delete': z.object({ id: z.string().min(1).max(60) }),
  /** The newest giveaways, each with its entry count and winners. */
  'giveaways.list': z.object({ limit: z.number().int().min(1).max(200).default(20) }),
  /** Who entered one giveaway, in the order they entered. */
  'giveaways.entries': z.object({
    id: z.number().int().positive(),
    limit: z.number().int().min(1).max(5000).default(1000),
  }),
  'backups.list': z.object({}),
  'backups.create': z.object({}),
  /** Schedules a restore of a listed backup; it is applied when BitBrat next starts. */
  'backups.restore': z.object({ file: z.string().min(1).max(200), moderator: z.string().trim().min(1).max(60) }),
  'backups.cancelRestore': z.object({}),
  /** The configuration as one JSON file (never secrets). */
  'config.export': z.object({}),
  /** Checks an exported file and previews what it changes; `dryRun: false` applies it (nothing is deleted). */
  'config.import': z.object({ file: z.unknown(), dryRun: z.boolean().default(true) }),
  /**
   * Imports commands, timers, counters and quotes from a Firebot v5 profile: an uploaded zip, or a
   * folder or zip on the host's computer. Previews first (`dryRun`), reports what it left out.
   */
  'firebot.import': z.object({
    source: z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('upload'),
        zipBase64: z
          .string()
          .min(1)
          .max(MAX_FIREBOT_UPLOAD_BASE64, 'the zip is too large to upload: import it by its path instead')
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'),
      }),
      z.object({ kind: z.literal('path'), path: z.string().trim().min(1).max(4096) }),
    ]),
    profile: z.string().trim().min(1).max(200).optional(),
    dryRun: z.boolean().default(true),
  }),
} as const;

export interface BackupInfo {
  file: string;
  sizeBytes: number;
  createdAt: number;
}
export interface BackupList {
  folder: string;
  backups: BackupInfo[];
  /** A restore waiting for the next start. */
  pending: { file: string; requestedAt: number; by: string } | null;
}

/** A timer as the console lists it: with when it last sent. */
export type TimerSummary = Timer & { lastSentAt: number | null };

type P<K extends keyof typeof FeatureApiParams> = z.input<(typeof FeatureApiParams)[K]>;

export interface FeatureApi {
  'counters.list'(params: P<'counters.list'>): Promise<Counter[]>;
  'counters.save'(params: P<'counters.save'>): Promise<Result<Counter>>;
  'counters.delete'(params: P<'counters.delete'>): Promise<{ ok: boolean }>;
  'counters.values'(params: P<'counters.values'>): Promise<CounterValue[]>;
  'counters.setValue'(params: P<'counters.setValue'>): Promise<Result<CounterValue>>;
  'quotes.list'(params: P<'quotes.list'>): Promise<Quote[]>;
  'quotes.save'(params: P<'quotes.save'>): Promise<Result<Quote>>;
  'quotes.delete'(params: P<'quotes.delete'>): Promise<{ ok: boolean }>;
  'timers.list'(params: P<'timers.list'>): Promise<TimerSummary[]>;
  'timers.save'(params: P<'timers.save'>): Promise<Result<Timer>>;
  'timers.delete'(params: P<'timers.delete'>): Promise<{ ok: boolean }>;
  'giveaways.list'(params: P<'giveaways.list'>): Promise<Giveaway[]>;
  'giveaways.entries'(params: P<'giveaways.entries'>): Promise<GiveawayEntry[]>;
  'backups.list'(params: P<'backups.list'>): Promise<BackupList>;
  'backups.create'(params: P<'backups.create'>): Promise<Result<BackupInfo>>;
  'backups.restore'(params: P<'backups.restore'>): Promise<Result<{ file: string; requestedAt: number; by: string }>>;
  'backups.cancelRestore'(params: P<'backups.cancelRestore'>): Promise<{ ok: boolean }>;
  'config.export'(params: P<'config.export'>): Promise<ConfigFile>;
  'config.import'(
    params: P<'config.import'>,
  ): Promise<{ ok: true; preview: ImportPreview; applied: boolean } | { ok: false; errors: string[] }>;
  'firebot.import'(params: P<'firebot.import'>): Promise<FirebotImportResult>;
}

export type FirebotImportResult =
  | { ok: true; profile: string; preview: ImportPreview; skipped: FirebotSkip[]; applied: boolean }
  | { ok: false; errors: string[] };
