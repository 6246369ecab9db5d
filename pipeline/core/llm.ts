/**
 * The llm-bot's data: personas, LLM settings, conversation memory and usage records, and the store
 * writes that persist them.
 *
 * Pure module (no Node, no DOM): the renderer edits personas and settings with these schemas, the
 * reaction worker runs the bot with them, and the store worker applies `LlmStoreWrite` ops.
 * The API key is never part of these shapes: settings hold `apiKeyRef`, a name in the secret store
 * (Electron safeStorage or the 0600 key file), so a key can never land in SQLite or a log.
 */
import { z } from 'zod';
import { MAX_REPLY_TEXT } from './envelope.js';
import { DEFAULT_SAFETY_SETTINGS, SafetySettingsSchema } from './safety.js';
import { SERVICE_IDS } from './service.js';

const HttpUrlSchema = z
  .string()
  .trim()
  .max(500)
  .regex(/^https?:\/\/[^\s]+$/i, 'must be an http(s) URL');

/** Per-persona overrides of the global LLM settings; any field left out uses the global value. */
export const ModelOverridesSchema = z.object({
  baseUrl: HttpUrlSchema.optional(),
  model: z.string().trim().min(1).max(200).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().min(1).max(4096).optional(),
  timeoutMs: z.number().int().min(500).max(300_000).optional(),
  maxRetries: z.number().int().min(0).max(5).optional(),
});
export type ModelOverrides = z.infer<typeof ModelOverridesSchema>;

export const PersonaIdSchema = z
  .string()
  .min(1)
  .max(60)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'persona ids are lower-case letters, digits, "-" and "_"');

export const PersonaSchema = z.object({
  id: PersonaIdSchema,
  name: z.string().trim().min(1).max(60),
  /** Voice and instructions, written by the streamer (trusted: it goes into the system prompt). */
  instructions: z.string().max(4000).default(''),
  do: z.array(z.string().trim().min(1).max(300)).max(30).default([]),
  dont: z.array(z.string().trim().min(1).max(300)).max(30).default([]),
  model: ModelOverridesSchema.default({}),
  /** Longest reply in characters; Twitch drops anything over 500. */
  replyLength: z.number().int().min(20).max(MAX_REPLY_TEXT).default(300),
});
export type Persona = z.infer<typeof PersonaSchema>;
export type PersonaInput = z.input<typeof PersonaSchema>;

export const DEFAULT_PERSONA_ID = 'default';

/** The llm-bot's service id, also the `source` of its candidates. */
export const LLM_BOT_ID = SERVICE_IDS.llmBot;

/** Used when a rule names no persona, or names one that does not exist (the slip says so). */
export const DEFAULT_PERSONA: Persona = {
  id: DEFAULT_PERSONA_ID,
  name: 'BitBrat',
  instructions:
    "You are BitBrat, a friendly, witty co-host in a Twitch streamer's chat. You answer viewers briefly and warmly, " +
    'keep the mood positive, and never pretend to be the streamer.',
  do: ['Answer in one or two short sentences.', "Use the viewer's name when it fits."],
  dont: [
    'Do not give medical, legal or financial advice.',
    'Do not discuss politics or religion.',
    'Do not insult anyone, even when asked to.',
  ],
  model: {},
  replyLength: 300,
};

/** USD per million tokens, per model name as the endpoint reports it. */
export const ModelPriceSchema = z.object({
  inPerMTok: z.number().min(0).max(10_000),
  outPerMTok: z.number().min(0).max(10_000),
});
export type ModelPrice = z.infer<typeof ModelPriceSchema>;

export const LlmSettingsSchema = z.object({
  /** OpenAI-compatible endpoint, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1. Empty: no LLM. */
  baseUrl: z.union([HttpUrlSchema, z.literal('')]).default(''),
  /** Name of the API key in the secret store (never the key itself). Empty: no key (local servers). */
  apiKeyRef: z.string().max(100).default(''),
  model: z.string().trim().max(200).default(''),
  temperature: z.number().min(0).max(2).default(0.7),
  maxTokens: z.number().int().min(1).max(4096).default(200),
  timeoutMs: z.number().int().min(500).max(300_000).default(20_000),
  maxRetries: z.number().int().min(0).max(5).default(1),
  /** Ask for this many choices; endpoints that ignore `n` return one. */
  candidates: z.number().int().min(1).max(5).default(1),
  /** Stream when the endpoint offers it (falls back to a plain request on a streaming error). */
  stream: z.boolean().default(true),
  userCooldownSeconds: z.number().int().min(0).max(86_400).default(30),
  /** 0 = no cap. */
  repliesPerMinute: z.number().int().min(0).max(1000).default(6),
  /** Tokens in + out per day (the streamer's local day); 0 = no budget. */
  dailyTokenBudget: z.number().int().min(0).max(1_000_000_000).default(200_000),
  /** Estimated USD per day; 0 = no budget. */
  dailyCostBudgetUsd: z.number().min(0).max(100_000).default(1),
  priceTable: z.record(z.string().max(200), ModelPriceSchema).default({}),
  /**
   * Whether the judge's `auto` mode may use OpenAI's moderation endpoint on api.openai.com (false:
   * it asks the chat model instead). The judge itself is configured in `safety.judge`.
   */
  moderationEndpoint: z.boolean().default(true),
  /** The reply safety layers and the request risks: strictness per category, the judge (see core/safety.ts). */
  safety: SafetySettingsSchema.default(DEFAULT_SAFETY_SETTINGS),
  /** Conversation memory bounds, per user and per channel. */
  memoryEntries: z.number().int().min(0).max(200).default(20),
  memoryChars: z.number().int().min(0).max(20_000).default(4000),
  /**
   * Also ask the LLM to classify every chat message (intent, sentiment, risk) after the local
   * analysis. Off by default: it costs a call per message; a failure leaves the local analysis.
   */
  classify: z.boolean().default(false),
  classifyTimeoutMs: z.number().int().min(200).max(10_000).default(1500),
});
export type LlmSettings = z.infer<typeof LlmSettingsSchema>;
export type LlmSettingsInput = z.input<typeof LlmSettingsSchema>;
export const DEFAULT_LLM_SETTINGS: LlmSettings = LlmSettingsSchema.parse({});

export const MemoryScopeSchema = z.enum(['user', 'channel']);
export type MemoryScope = z.infer<typeof MemoryScopeSchema>;
/** `user`: what the viewer said; `assistant`: what the bot replied. */
export type MemoryRole = 'user' | 'assistant';

export interface MemoryEntry {
  id: number;
  scope: MemoryScope;
  scopeKey: string;
  role: MemoryRole;
  text: string;
  at: number;
}

export interface LlmUsageRecord {
  at: number;
  /** Local day `YYYY-MM-DD` (see `usageDay`). */
  day: string;
  model: string;
  persona: string;
  eventId: string;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

/** The counter the console shows next to the budget. */
export interface LlmUsageToday {
  day: string;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  calls: number;
}

/**
 * The streamer's local day `YYYY-MM-DD` of an epoch-millisecond timestamp: budgets reset at the
 * streamer's midnight (the reaction worker runs on the streamer's machine, in its time zone).
 */
export function usageDay(at: number): string {
  const date = new Date(at);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export const LlmUsageRecordSchema = z.object({
  at: z.number(),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  model: z.string().max(200),
  persona: z.string().max(60),
  eventId: z.string().max(100),
  tokensIn: z.number().int().nonnegative(),
  tokensOut: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
});

const MemoryAppendSchema = z.object({
  op: z.literal('memory.append'),
  scope: MemoryScopeSchema,
  scopeKey: z.string().min(1).max(200),
  role: z.enum(['user', 'assistant']),
  text: z.string().max(20_000),
  at: z.number(),
  maxEntries: z.number().int().nonnegative(),
  maxChars: z.number().int().nonnegative(),
});

/**
 * Writes the llm-bot asks the store worker (the single SQLite writer) to make. The store parses
 * them with this schema (they arrive over a port). `memory.append` carries its bounds so the applier
 * prunes in the same transaction; `memory.clear` without scope clears all memory, with a scope and
 * no key that whole scope.
 */
export const LlmStoreWriteSchema = z.discriminatedUnion('op', [
  MemoryAppendSchema,
  z.object({
    op: z.literal('memory.clear'),
    scope: MemoryScopeSchema.optional(),
    scopeKey: z.string().min(1).max(200).optional(),
  }),
  z.object({ op: z.literal('llmUsage.add'), usage: LlmUsageRecordSchema }),
  z.object({ op: z.literal('persona.upsert'), persona: PersonaSchema, at: z.number() }),
  z.object({ op: z.literal('persona.delete'), id: PersonaIdSchema }),
]);
export type LlmStoreWrite = z.infer<typeof LlmStoreWriteSchema>;

export const LLM_STORE_OPS = [
  'memory.append',
  'memory.clear',
  'llmUsage.add',
  'persona.upsert',
  'persona.delete',
] as const;
export function isLlmStoreWrite(write: { op: string }): write is LlmStoreWrite {
  return (LLM_STORE_OPS as readonly string[]).includes(write.op);
}
