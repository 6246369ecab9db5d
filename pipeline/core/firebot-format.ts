/**
 * The parts of a Firebot v5 profile that BitBrat imports, as Firebot writes them (learned from its
 * public repository; nothing of it is copied here):
 *
 * - `chat/commands.json` — `{ customCommands: { <id>: command }, systemCommandOverrides: {...} }`;
 *   a command has `trigger`, `triggerIsRegex`, `scanWholeMessage`, `aliases`, `active`,
 *   `cooldown: { global, user }` (seconds), `restrictionData: { mode, restrictions: [...] }` and
 *   `effects: { runMode, list: [{ id, type, active, ... }] }` (a chat message is `firebot:chat` with
 *   `message`);
 * - `timers.json` — `{ <id>: { name, active, interval (seconds), requiredChatLines, onlyWhenLive, effects } }`;
 * - `counters/counters.json` — `{ <id>: { name, value, minimum, maximum, saveToTxtFile, updateEffects, ... } }`;
 * - `db/quotes.db` — a NeDB file: one JSON document per line, `{ _id, text, originator, creator, game,
 *   createdAt }`, plus bookkeeping lines (`__autoid__`, `$$indexCreated`) and `$$deleted` tombstones;
 *   a later line with the same `_id` replaces an earlier one.
 *
 * The schemas are loose (Firebot adds fields over versions): they check what the import reads and
 * keep the rest. Pure module.
 */
import { z } from 'zod';
import { issueLines } from './zod-issues.js';

/** The profile's files BitBrat reads, by their path inside the profile folder. */
export const FIREBOT_FILES = {
  commands: 'chat/commands.json',
  timers: 'timers.json',
  counters: 'counters/counters.json',
  quotes: 'db/quotes.db',
} as const;
export type FirebotFileKind = keyof typeof FIREBOT_FILES;
/** Raw text of each file found (a profile may lack some: a streamer who never made a quote). */
export type FirebotFiles = Partial<Record<FirebotFileKind, string>>;

/** Largest file the import reads: a big channel's quotes are a few MB; more is not a Firebot profile. */
export const MAX_FIREBOT_FILE_BYTES = 16 * 1024 * 1024;
/**
 * Largest zip the console uploads: it travels base64-encoded in one WebSocket frame, and the gateway
 * takes frames of at most 1 MiB. A bigger backup is imported by its path on this computer.
 */
export const MAX_FIREBOT_UPLOAD_BYTES = 700 * 1024;
export const MAX_FIREBOT_UPLOAD_BASE64 = Math.ceil(MAX_FIREBOT_UPLOAD_BYTES / 3) * 4;

/** Firebot items per file the import accepts (commands, timers, counters, quotes). */
const MAX_ITEMS = 100_000;

const Text = z.string().max(100_000);
const OptionalNumber = z.number().nullish();

const FirebotEffectSchema = z.looseObject({
  id: z.string().max(200).optional(),
  type: z.string().max(200),
  active: z.boolean().nullish(),
  /** `firebot:chat`: the message; other effects carry other fields. */
  message: z.unknown().optional(),
  whisper: z.unknown().optional(),
});
export type FirebotEffect = z.infer<typeof FirebotEffectSchema>;

const FirebotEffectListSchema = z.looseObject({
  id: z.string().max(200).optional(),
  list: z.array(FirebotEffectSchema).max(1000).default([]),
  runMode: z.string().max(40).nullish(),
});
export type FirebotEffectList = z.infer<typeof FirebotEffectListSchema>;

const FirebotRestrictionSchema = z.looseObject({
  id: z.string().max(200).optional(),
  type: z.string().max(200),
  mode: z.string().max(40).nullish(),
  roleIds: z.array(z.string().max(200)).max(100).nullish(),
});

const RestrictionDataSchema = z.looseObject({
  mode: z.string().max(40).nullish(),
  restrictions: z.array(FirebotRestrictionSchema).max(100).default([]),
});

const FirebotCommandSchema = z.looseObject({
  id: z.string().max(200).optional(),
  trigger: z.string().max(500),
  active: z.boolean().nullish(),
  triggerIsRegex: z.boolean().nullish(),
  scanWholeMessage: z.boolean().nullish(),
  aliases: z.array(z.string().max(500)).max(50).nullish(),
  cooldown: z.looseObject({ global: OptionalNumber, user: OptionalNumber }).nullish(),
  effects: FirebotEffectListSchema.nullish(),
  restrictionData: RestrictionDataSchema.nullish(),
  subCommands: z.array(z.unknown()).max(200).nullish(),
  fallbackSubcommand: z.unknown().optional(),
});
export type FirebotCommand = z.infer<typeof FirebotCommandSchema>;

const FirebotCommandsFileSchema = z.looseObject({
  customCommands: z
    .record(z.string().max(200), FirebotCommandSchema)
    .refine((commands) => Object.keys(commands).length <= MAX_ITEMS, 'too many commands')
    .default({}),
  systemCommandOverrides: z.record(z.string().max(200), z.unknown()).default({}),
});

const FirebotTimerSchema = z.looseObject({
  id: z.string().max(200).optional(),
  name: z.string().max(500).default(''),
  active: z.boolean().nullish(),
  /** Seconds (Firebot runs `setInterval(…, interval * 1000)`). */
  interval: z.number(),
  requiredChatLines: OptionalNumber,
  onlyWhenLive: z.boolean().nullish(),
  effects: FirebotEffectListSchema.nullish(),
});
type FirebotTimer = z.infer<typeof FirebotTimerSchema>;
const FirebotTimersFileSchema = z
  .record(z.string().max(200), FirebotTimerSchema)
  .refine((timers) => Object.keys(timers).length <= MAX_ITEMS, 'too many timers');

const HasEffects = FirebotEffectListSchema.nullish();
const FirebotCounterSchema = z.looseObject({
  id: z.string().max(200).optional(),
  name: z.string().max(500),
  value: z.number(),
  saveToTxtFile: z.boolean().nullish(),
  minimum: OptionalNumber,
  maximum: OptionalNumber,
  updateEffects: HasEffects,
  minimumEffects: HasEffects,
  maximumEffects: HasEffects,
});
type FirebotCounter = z.infer<typeof FirebotCounterSchema>;
const FirebotCountersFileSchema = z
  .record(z.string().max(200), FirebotCounterSchema)
  .refine((counters) => Object.keys(counters).length <= MAX_ITEMS, 'too many counters');

/** NeDB writes a Date as `{"$$date": ms}`; Firebot's quotes use an ISO string. Either is read. */
const NedbDate = z.union([z.string().max(100), z.looseObject({ $$date: z.number() })]);
const FirebotQuoteSchema = z.looseObject({
  _id: z.number().int(),
  text: Text,
  originator: z.string().max(500).nullish(),
  creator: z.string().max(500).nullish(),
  game: z.string().max(500).nullish(),
  createdAt: NedbDate.nullish(),
});
type FirebotQuote = z.infer<typeof FirebotQuoteSchema>;

export interface FirebotProfile {
  commands: { custom: Record<string, FirebotCommand>; systemOverrides: number };
  timers: Record<string, FirebotTimer>;
  counters: Record<string, FirebotCounter>;
  quotes: FirebotQuote[];
}

type FirebotParse = { ok: true; profile: FirebotProfile } | { ok: false; errors: string[] };

function parseJsonFile<T>(name: string, text: string | undefined, schema: z.ZodType<T>, empty: T, errors: string[]): T {
  if (text === undefined || text.trim() === '') return empty;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    errors.push(`${name}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    return empty;
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  errors.push(...issueLines(parsed.error, { root: '(file)', limit: 20 }).map((line) => `${name}: ${line}`));
  return empty;
}

/** A NeDB file's live documents: tombstones applied, bookkeeping lines left out, by `_id`. */
function parseQuotesDb(text: string, errors: string[]): FirebotQuote[] {
  const name = FIREBOT_FILES.quotes;
  const byId = new Map<number, FirebotQuote>();
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let document: unknown;
    try {
      document = JSON.parse(line);
    } catch {
      errors.push(`${name}: line ${index + 1}: not valid JSON`);
      continue;
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      errors.push(`${name}: line ${index + 1}: not a document`);
      continue;
    }
    const record = document as Record<string, unknown>;
    if ('$$indexCreated' in record || '$$indexRemoved' in record || record._id === '__autoid__') continue;
    if (record.$$deleted === true) {
      if (typeof record._id === 'number') byId.delete(record._id);
      continue;
    }
    const parsed = FirebotQuoteSchema.safeParse(record);
    if (!parsed.success) {
      errors.push(...issueLines(parsed.error, { limit: 3 }).map((issue) => `${name}: line ${index + 1}: ${issue}`));
      continue;
    }
    byId.delete(parsed.data._id); // a replaced document moves to its new line's place, as NeDB keeps it
    byId.set(parsed.data._id, parsed.data);
    if (byId.size > MAX_ITEMS) {
      errors.push(`${name}: more than ${MAX_ITEMS} quotes`);
      break;
    }
  }
  return [...byId.values()].sort((a, b) => a._id - b._id);
}

/** Parses the files found; every problem names its file and field. Nothing is kept from a file with errors. */
export function parseFirebotFiles(files: FirebotFiles): FirebotParse {
  const errors: string[] = [];
  if (Object.values(files).every((text) => text === undefined))
    return {
      ok: false,
      errors: [
        `(profile): none of ${Object.values(FIREBOT_FILES).join(', ')} was found: is this a Firebot v5 profile?`,
      ],
    };
  const commands = parseJsonFile(
    FIREBOT_FILES.commands,
    files.commands,
    FirebotCommandsFileSchema,
    { customCommands: {}, systemCommandOverrides: {} },
    errors,
  );
  const timers = parseJsonFile(FIREBOT_FILES.timers, files.timers, FirebotTimersFileSchema, {}, errors);
  const counters = parseJsonFile(FIREBOT_FILES.counters, files.counters, FirebotCountersFileSchema, {}, errors);
  const quotes = files.quotes === undefined ? [] : parseQuotesDb(files.quotes, errors);
  if (errors.length > 0) return { ok: false, errors: errors.slice(0, 50) };
  return {
    ok: true,
    profile: {
      commands: {
        custom: commands.customCommands,
        systemOverrides: Object.keys(commands.systemCommandOverrides).length,
      },
      timers,
      counters,
      quotes,
    },
  };
}
