/**
 * On-air safety: what the reply checks found, and how strict each layer is.
 *
 * Pure module: the llm-bot writes findings on a candidate (`candidate.hold`), the router copies them
 * onto the approval, the console shows them, and the settings UI edits `SafetySettings`.
 * A finding is structured (which check, what it found), so a moderator sees the leaked sentence,
 * the address or the link itself rather than a parsed note.
 */
import { z } from 'zod';

/** The deterministic reply detectors, each with its own strictness. */
export const REPLY_DETECTORS = [
  /** The per-request canary or sentences of the system prompt in the reply. */
  'leak',
  /** Street addresses, phone numbers, e-mail addresses, IP addresses, wallet addresses. */
  'personal-data',
  /** Links in any disguise: "dot com", spaced, look-alike letters, shorteners, punycode. */
  'link',
  /** Slurs and profanity, also obfuscated (leetspeak, zero-width, look-alikes). */
  'slur',
  /** Abuse aimed at a named viewer (an @mention or a name from the chat). */
  'harassment',
  /** The bot telling other viewers to do something (spam, raid, report, click). */
  'viewer-instructions',
  /** The bot claiming to be the streamer, a moderator or Twitch staff. */
  'impersonation',
  /** Twitch chat commands ("/ban", ".timeout") anywhere in the reply, or mass mentions. */
  'chat-command',
] as const;
export type ReplyDetector = (typeof REPLY_DETECTORS)[number];

/** What the analyzer rates on the way in (request risks). */
export const REQUEST_RISKS = ['self-harm', 'hate', 'doxxing', 'minors', 'scam', 'prompt-extraction'] as const;
export const RequestRiskSchema = z.enum(REQUEST_RISKS);
export type RequestRisk = z.infer<typeof RequestRiskSchema>;

export const SAFETY_CHECKS = [...REPLY_DETECTORS, 'judge', 'request'] as const;
export const SafetyCheckSchema = z.enum(SAFETY_CHECKS);
export type SafetyCheck = z.infer<typeof SafetyCheckSchema>;

export const SafetyFindingSchema = z.object({
  check: SafetyCheckSchema,
  /** A finer label: `phone`, `email`, `shortener`, `canary`, `hate`, `self-harm`... */
  kind: z.string().max(60),
  /** The text it found, as it appears in the draft (the leaked sentence, the address, the link). */
  found: z.string().max(300),
  /** Where `found` starts in the draft, when it is a span of the draft (for highlighting). */
  at: z.number().int().nonnegative().optional(),
  /** False when no moderator may send the draft anyway (a leaked system prompt). */
  overridable: z.boolean().default(true),
});
export type SafetyFinding = z.infer<typeof SafetyFindingSchema>;
export type SafetyFindingInput = z.input<typeof SafetyFindingSchema>;

export const SafetyHoldSchema = z.object({
  findings: z.array(SafetyFindingSchema).min(1).max(30),
});
export type SafetyHold = z.infer<typeof SafetyHoldSchema>;

/**
 * How a held candidate's reason starts (for people reading it). The findings are `candidate.hold`;
 * the gate reads this prefix only on candidates written before that field existed (fail closed).
 */
export const HELD_REASON_PREFIX = 'held:';

/** The moderator's words for a hold: "personal-data (phone: 555-0100); link (bit.ly/x)". */
export function describeHold(hold: SafetyHold): string {
  const parts = hold.findings.map((finding) => `${finding.check} (${finding.kind}: ${finding.found.slice(0, 60)})`);
  return [...new Set(parts)].join('; ').slice(0, 480);
}

/** A draft with a finding no override can clear. */
export function isOverridable(hold: SafetyHold): boolean {
  return hold.findings.every((finding) => finding.overridable);
}

export const DetectorModeSchema = z.enum(['hold', 'off']);
/** `filter`: the event ends `filtered`; `hold`: a draft is written and held with the reason; `off`: not rated. */
export const RequestModeSchema = z.enum(['filter', 'hold', 'off']);
export type RequestMode = z.infer<typeof RequestModeSchema>;

const detectorDefaults = Object.fromEntries(REPLY_DETECTORS.map((name) => [name, 'hold'])) as Record<
  ReplyDetector,
  'hold'
>;

export const JudgeModeSchema = z.enum([
  /** The provider's moderation endpoint on api.openai.com, otherwise `model`. */
  'auto',
  /** POST /moderations on the judge endpoint (OpenAI, or a proxy that serves the route). */
  'moderation',
  /** A chat model (a guard model, or the chat model itself) with a fixed classification prompt. */
  'model',
  'off',
]);
export type JudgeMode = z.infer<typeof JudgeModeSchema>;

export const SafetySettingsSchema = z.object({
  detectors: z
    .object(
      Object.fromEntries(REPLY_DETECTORS.map((name) => [name, DetectorModeSchema.default('hold')])) as Record<
        ReplyDetector,
        z.ZodDefault<typeof DetectorModeSchema>
      >,
    )
    .default(detectorDefaults),
  judge: z
    .object({
      mode: JudgeModeSchema.default('auto'),
      /** Empty: the chat endpoint. The API key is only sent when this is the chat endpoint too. */
      baseUrl: z
        .union([
          z
            .string()
            .trim()
            .max(500)
            .regex(/^https?:\/\/[^\s]+$/i, 'must be an http(s) URL'),
          z.literal(''),
        ])
        .default(''),
      /** Empty: the chat model, asked with the classification prompt. E.g. `llama-guard3:1b` on Ollama. */
      model: z.string().trim().max(200).default(''),
      timeoutMs: z.number().int().min(500).max(60_000).default(8000),
    })
    .default({ mode: 'auto', baseUrl: '', model: '', timeoutMs: 8000 }),
  requests: z
    .object({
      'self-harm': RequestModeSchema.default('filter'),
      hate: RequestModeSchema.default('filter'),
      doxxing: RequestModeSchema.default('filter'),
      minors: RequestModeSchema.default('filter'),
      scam: RequestModeSchema.default('hold'),
      'prompt-extraction': RequestModeSchema.default('hold'),
    })
    .default({
      'self-harm': 'filter',
      hate: 'filter',
      doxxing: 'filter',
      minors: 'filter',
      scam: 'hold',
      'prompt-extraction': 'hold',
    }),
});
export type SafetySettings = z.infer<typeof SafetySettingsSchema>;
export type SafetySettingsInput = z.input<typeof SafetySettingsSchema>;
export const DEFAULT_SAFETY_SETTINGS: SafetySettings = SafetySettingsSchema.parse({});
