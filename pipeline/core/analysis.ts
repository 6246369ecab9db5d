/**
 * What the query-analyzer writes on a chat event: one annotation per kind, each with a typed value.
 * Rules (`annotation.risk.level`), the renderer and the LLM bot read these shapes, so they live here
 * in pure code, with zod schemas for the places that receive them from outside (replays, an LLM's
 * structured output).
 *
 * Annotation kinds are exactly those in `ANALYSIS_KINDS`. Every analyzer annotation carries
 * `source: 'query-analyzer'` (or `'query-analyzer.llm'` when the optional LLM classification
 * supplied the value).
 */
import { z } from 'zod';
import type { Annotation } from './envelope.js';
import { RequestRiskSchema } from './safety.js';
import { SERVICE_IDS } from './service.js';

export const ANALYZER_SOURCE = SERVICE_IDS.queryAnalyzer;
/** Source of a value that came from the optional LLM classification instead of the local analysis. */
export const ANALYZER_LLM_SOURCE = 'query-analyzer.llm';

export const ANALYSIS_KINDS = ['intent', 'sentiment', 'toxicity', 'spam', 'risk', 'tokens'] as const;
export type AnalysisKind = (typeof ANALYSIS_KINDS)[number];

export const INTENT_LABELS = [
  'command',
  'question',
  'greeting',
  'praise',
  'critique',
  'joke',
  /** The message names the bot (its name as a word, or @name). */
  'mention',
  'spam',
  'other',
] as const;
export const IntentLabelSchema = z.enum(INTENT_LABELS);
export type IntentLabel = z.infer<typeof IntentLabelSchema>;

export const IntentSchema = z.object({
  label: IntentLabelSchema,
  confidence: z.number().min(0).max(1),
});
export type Intent = z.infer<typeof IntentSchema>;

export const SentimentLabelSchema = z.enum(['negative', 'neutral', 'positive']);
export type SentimentLabel = z.infer<typeof SentimentLabelSchema>;

export const SentimentSchema = z.object({
  /** -1 (very negative) .. 1 (very positive). */
  score: z.number().min(-1).max(1),
  label: SentimentLabelSchema,
});
export type Sentiment = z.infer<typeof SentimentSchema>;

/**
 * `mild`: everyday swearing; `strong`: sexual or degrading terms; `severe`: slurs (hate speech).
 */
export const ToxicitySeveritySchema = z.enum(['none', 'mild', 'strong', 'severe']);
export type ToxicitySeverity = z.infer<typeof ToxicitySeveritySchema>;

export const ToxicitySchema = z.object({
  profane: z.boolean(),
  /** The matched words, censored ("f***"), so the value is safe to show and to store. */
  terms: z.array(z.string().max(60)).max(20),
  severity: ToxicitySeveritySchema,
});
export type Toxicity = z.infer<typeof ToxicitySchema>;

export const SPAM_SIGNALS = [
  /** A character repeated more than 3 times in a row ("loooooool"). */
  'repeated-chars',
  /** The same word many times ("buy buy buy buy"). */
  'repeated-words',
  /** Mostly capital letters in a message long enough for that to be shouting. */
  'caps',
  /** Contains a link or a bare domain. */
  'link',
  /** Only emotes (Twitch emotes or emoji), no words. */
  'emote-only',
  /** The same text from several different users within a short window. */
  'copy-pasta',
  /** This user sent many messages within a short window. */
  'rate',
  /** The same user repeated the same text. */
  'duplicate',
  /** Very long message. */
  'long',
  /** Sells followers or viewers, or pushes another channel ("buy followers", "check out my channel"). */
  'self-promo',
  /** A wall of emotes (many emote words and nothing else). */
  'emote-wall',
] as const;
export const SpamSignalSchema = z.enum(SPAM_SIGNALS);
export type SpamSignal = z.infer<typeof SpamSignalSchema>;

export const SpamSchema = z.object({
  isSpam: z.boolean(),
  score: z.number().min(0).max(1),
  signals: z.array(SpamSignalSchema),
});
export type Spam = z.infer<typeof SpamSchema>;

export const RISK_LEVELS = ['none', 'low', 'medium', 'high'] as const;
export const RiskLevelSchema = z.enum(RISK_LEVELS);
export type RiskLevel = z.infer<typeof RiskLevelSchema>;

export const RISK_TYPES = [
  'none',
  'profanity',
  /** Abuse aimed at a person ("kys", "f*** you"). */
  'harassment',
  /** Slurs. */
  'hate',
  'spam',
  'link',
  /** "follow me", "check out my channel", "cheap viewers". */
  'self-promo',
  /** An attempt to steer the bot's LLM ("ignore previous instructions", fake "system:" tags). */
  'injection',
  // Request risks (issue 11, services/query-analyzer/request-risks.ts): what the message asks the bot for.
  'self-harm',
  'doxxing',
  'minors',
  'scam',
  'prompt-extraction',
] as const;
export const RiskTypeSchema = z.enum(RISK_TYPES);
export type RiskType = z.infer<typeof RiskTypeSchema>;

export const RiskSchema = z.object({
  level: RiskLevelSchema,
  /** The type of the highest risk found; `none` with level `none`. */
  type: RiskTypeSchema,
  /** Every finding, in words a moderator understands ("link: example.com"). */
  reasons: z.array(z.string().max(200)).max(20),
  /**
   * What the message asks the bot for, rated per category with the action the safety settings
   * give it: `filter` (the level is `high`, the default rule ends the event) or `hold` (the draft is
   * held for a moderator with this reason).
   */
  requests: z
    .array(
      z.object({
        category: RequestRiskSchema,
        action: z.enum(['filter', 'hold']),
        reason: z.string().max(200),
      }),
    )
    .max(12)
    .optional(),
});
export type Risk = z.infer<typeof RiskSchema>;

export const TokensSchema = z.object({
  /** The message as downstream prompts should see it: normalized, without invisible or disguising characters. */
  cleanedText: z.string().max(10_000),
  /** Estimated LLM tokens of `cleanedText` (see the analyzer's `estimateTokens`). */
  count: z.number().int().nonnegative(),
  /** What the cleaning removed or changed: 'zero-width', 'bidi-control', 'homoglyph', 'repeated-chars', ... */
  removed: z.array(z.string().max(40)).max(20),
});
export type Tokens = z.infer<typeof TokensSchema>;

export const AnalysisValueSchemas = {
  intent: IntentSchema,
  sentiment: SentimentSchema,
  toxicity: ToxicitySchema,
  spam: SpamSchema,
  risk: RiskSchema,
  tokens: TokensSchema,
} as const satisfies Record<AnalysisKind, z.ZodType>;

export interface AnalysisValues {
  intent: Intent;
  sentiment: Sentiment;
  toxicity: Toxicity;
  spam: Spam;
  risk: Risk;
  tokens: Tokens;
}

/**
 * What the optional LLM classification may return. Every part is optional; the analyzer validates it
 * with this schema, so a malformed model answer is dropped rather than written on the event.
 */
export const LlmClassificationSchema = z.object({
  intent: IntentSchema.optional(),
  sentiment: SentimentSchema.optional(),
  risk: RiskSchema.optional(),
});
export type LlmClassification = z.infer<typeof LlmClassificationSchema>;

const RISK_RANK: Record<RiskLevel, number> = { none: 0, low: 1, medium: 2, high: 3 };

/** Orders risk levels: negative when `a` is lower than `b`. */
export function compareRiskLevel(a: RiskLevel, b: RiskLevel): number {
  return RISK_RANK[a] - RISK_RANK[b];
}

/** 0, 1/3, 2/3, 1: a risk level as an annotation score, so rules can compare numbers. */
export function riskScore(level: RiskLevel): number {
  return RISK_RANK[level] / 3;
}

/**
 * The latest analyzer value of one kind on an event, validated; undefined when absent or malformed.
 * For readers outside the pipeline (renderer, replays) that cannot trust the annotation blindly.
 */
export function readAnalysis<K extends AnalysisKind>(
  annotations: readonly Annotation[],
  kind: K,
): AnalysisValues[K] | undefined {
  for (let index = annotations.length - 1; index >= 0; index--) {
    const annotation = annotations[index]!;
    if (annotation.kind !== kind) continue;
    const parsed = AnalysisValueSchemas[kind].safeParse(annotation.value);
    return parsed.success ? (parsed.data as AnalysisValues[K]) : undefined;
  }
  return undefined;
}
