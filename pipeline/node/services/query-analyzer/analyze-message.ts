/**
 * The analyzer's core: one chat message in, the six analysis values out. Pure apart from the
 * `AnalyzerState` it is handed (rates and copy-pasta need memory across messages); no I/O, no
 * clock of its own, so a test replays a chat log and gets the same answer every time.
 *
 * Order matters: clean first (so disguised words and invisible characters cannot dodge anything),
 * then the independent signals, then intent and risk, which read them.
 */
import type { Annotation } from '../../../core/envelope.js';
import {
  ANALYZER_SOURCE,
  compareRiskLevel,
  riskScore,
  type AnalysisKind,
  type AnalysisValues,
  type Intent,
  type Risk,
  type RiskLevel,
  type RiskType,
  type Spam,
  type SpamSignal,
  type Toxicity,
} from '../../../core/analysis.js';
import { AnalyzerState, copyPastaKey, type MessageObservation } from './analyzer-state.js';
import {
  EMOJI_WORD,
  GREETING,
  GREETING_EMOTES,
  HARASSMENT,
  INJECTION_PATTERNS,
  KNOWN_EMOTES,
  LAUGHTER,
  LINK,
  QUESTION_MARK,
  QUESTION_START,
  SECOND_PERSON,
  SELF_PROMO,
} from './chat-patterns.js';
import { censorWord, findProfanity, type ProfanityFinding } from './profanity.js';
import { scoreSentiment } from './sentiment-score.js';
import { cleanText, estimateTokens } from './text-cleaning.js';
import { escapeRegExp } from '../../../core/regex.js';

export interface MessageInput {
  text: string;
  /** Stable per user and platform (the auth service's user id, or `platform:externalId`). */
  userId: string;
  /** The event id: a retried step must not count the same message twice in the rate window. */
  eventId: string;
  at: number;
  /**
   * Twitch emote positions: code-point indices into `text`, `end` inclusive (Twitch IRC `emotes` tag).
   * Optional; third-party emotes are recognized by name (`KNOWN_EMOTES`).
   */
  emotes?: ReadonlyArray<{ start: number; end: number }>;
  /** The sender's roles on this event; a link from someone with none of `TRUSTED_ROLES` weighs more. */
  roles?: readonly string[];
}

/** Roles whose links are part of normal chat (a subscriber sharing a clip); anyone else's is the classic spam. */
const TRUSTED_ROLES: ReadonlySet<string> = new Set(['broadcaster', 'moderator', 'vip', 'subscriber', 'founder']);
/** A link from a viewer with no trusted role is spam on its own. */
const UNTRUSTED_LINK_WEIGHT = 0.55;
/**
 * Copy-pasta is a long block several users paste. Shorter texts several viewers type are chat
 * ("what keyboard do you use?", "first time here, love the vibe"), and so are emote-heavy raid
 * lines: a copy needs this many plain (non-emote) words and is never a short question.
 */
const COPY_PASTA_MIN_PLAIN_WORDS = 8;
/** A block this long pasted by two users is already a copy-pasta: nobody types 15 identical words by chance. */
const LONG_PASTA_PLAIN_WORDS = 15;
/** This many words, all emotes, is a wall rather than a reaction ("PogChamp PogChamp"). */
const EMOTE_WALL_WORDS = 10;
const SHORT_QUESTION = 100;

export interface AnalyzeOptions {
  /** The bot's chat name; a message naming it (word boundary, case-insensitive, or @name) is a mention. */
  botName: string;
}

export type MessageAnalysis = AnalysisValues;

/** Longest text the signals look at: Twitch allows 500 characters, other sources get room, not unbounded work. */
const ANALYZED_LENGTH = 2_000;

const SPAM_WEIGHTS: Record<SpamSignal, number> = {
  'repeated-chars': 0.2,
  'repeated-words': 0.35,
  caps: 0.3,
  link: 0.3,
  'emote-only': 0.15,
  'copy-pasta': 0.6,
  rate: 0.6,
  duplicate: 0.45,
  long: 0.15,
  'self-promo': 0.3,
  'emote-wall': 0.3,
};
const SPAM_THRESHOLD = 0.5;
/** Runs this long are a flood, not a "loooool": weighs more. */
const LONG_RUN = /(.)\1{9,}/su;
const LONG_RUN_EXTRA_WEIGHT = 0.25;
const UPPER = /\p{Lu}/gu;
const LOWER = /\p{Ll}/gu;
const LONG_MESSAGE = 300;
const CAPS_MIN_LETTERS = 12;
const CAPS_RATIO = 0.7;

const mentionPatterns = new Map<string, RegExp | null>();

function mentionPattern(botName: string): RegExp | null {
  let pattern = mentionPatterns.get(botName);
  if (pattern !== undefined) return pattern;
  const name = botName.trim().replace(/^@/, '');
  const escaped = escapeRegExp(name);
  pattern = name === '' ? null : new RegExp(`(?:^|[^\\p{L}\\p{N}_])@?${escaped}(?![\\p{L}\\p{N}_])`, 'iu');
  if (mentionPatterns.size > 16) mentionPatterns.clear();
  mentionPatterns.set(botName, pattern);
  return pattern;
}

function codePointSlice(text: string, start: number, end: number): string {
  return [...text].slice(start, end + 1).join('');
}

function countMatches(text: string, pattern: RegExp): number {
  pattern.lastIndex = 0;
  let count = 0;
  while (pattern.exec(text) !== null) count++;
  return count;
}

/** Names of the Twitch emotes in the message, from the positions Twitch sent. */
function twitchEmoteNames(input: MessageInput): Set<string> {
  const names = new Set<string>();
  if (input.emotes === undefined) return names;
  for (const emote of input.emotes.slice(0, 100)) {
    if (emote.end < emote.start || emote.end - emote.start > 100) continue;
    names.add(codePointSlice(input.text, emote.start, emote.end));
  }
  return names;
}

interface WordCensus {
  words: string[];
  emoteWords: number;
  emojiWords: number;
  /** The words that are neither emotes nor emoji. */
  plainWords: string[];
}

function censusOf(text: string, emoteNames: Set<string>): WordCensus {
  const words = text === '' ? [] : text.split(' ');
  let emoteWords = 0;
  let emojiWords = 0;
  const plainWords: string[] = [];
  for (const word of words) {
    if (emoteNames.has(word) || KNOWN_EMOTES.has(word)) emoteWords++;
    else if (EMOJI_WORD.test(word)) emojiWords++;
    else plainWords.push(word);
  }
  return { words, emoteWords, emojiWords, plainWords };
}

/** The raw text without emote names (emotes like "KEKW" are capitalized by design). */
function shoutedWords(raw: string, emoteNames: Set<string>): string {
  return raw
    .split(/\s+/)
    .filter((word) => !emoteNames.has(word) && !KNOWN_EMOTES.has(word))
    .join(' ');
}

function detectSpam(
  raw: string,
  cleaned: string,
  removed: readonly string[],
  census: WordCensus,
  emoteNames: Set<string>,
  links: number,
  seen: MessageObservation,
  state: AnalyzerState,
  trusted: boolean,
  promo: boolean,
): Spam {
  const signals: SpamSignal[] = [];
  if (removed.includes('repeated-chars')) signals.push('repeated-chars');
  const distinctWords = new Set(census.words.map((word) => word.toLowerCase())).size;
  if (removed.includes('repeated-words') || (census.words.length >= 6 && distinctWords / census.words.length < 0.4)) {
    signals.push('repeated-words');
  }
  // Caps are measured before runs are collapsed: "GOOOOOOOOOOOOOOO" shouts as loud as it looks.
  const plain = shoutedWords(raw, emoteNames);
  const upper = countMatches(plain, UPPER);
  const cased = upper + countMatches(plain, LOWER);
  if (cased >= CAPS_MIN_LETTERS && upper / cased >= CAPS_RATIO) signals.push('caps');
  if (links > 0) signals.push('link');
  if (census.words.length > 0 && census.plainWords.length === 0) signals.push('emote-only');
  const question = cleaned.length < SHORT_QUESTION && cleaned.trimEnd().endsWith('?');
  const plainWords = census.plainWords.length;
  const pastedBy = plainWords >= LONG_PASTA_PLAIN_WORDS ? 2 : state.options.copyPastaUsers;
  if (seen.distinctUsersWithText >= pastedBy && plainWords >= COPY_PASTA_MIN_PLAIN_WORDS && !question) {
    signals.push('copy-pasta');
  }
  if (promo) signals.push('self-promo');
  if (signals.includes('emote-only') && raw.trim().split(/\s+/).length >= EMOTE_WALL_WORDS) signals.push('emote-wall');
  if (seen.recentMessages > state.options.rateLimit) signals.push('rate');
  if (seen.sameTextRepeats >= 2) signals.push('duplicate');
  if (cleaned.length > LONG_MESSAGE) signals.push('long');
  let keep = 1;
  for (const signal of signals) {
    const untrusted = !trusted && (signal === 'link' || signal === 'self-promo');
    keep *= 1 - (untrusted ? UNTRUSTED_LINK_WEIGHT : SPAM_WEIGHTS[signal]);
  }
  // A flood of one character ("!!!!!!!!!!!!") weighs more than an enthusiastic "loooool".
  if (signals.includes('repeated-chars') && LONG_RUN.test(raw)) keep *= 1 - LONG_RUN_EXTRA_WEIGHT;
  const score = Math.round((1 - keep) * 1000) / 1000;
  return { isSpam: score >= SPAM_THRESHOLD, score, signals };
}

const RISK_TYPE_PRIORITY: readonly RiskType[] = [
  'hate',
  'harassment',
  'injection',
  'self-promo',
  'spam',
  'profanity',
  'link',
];

interface RiskFinding {
  level: RiskLevel;
  type: RiskType;
  reason: string;
}

function assessRisk(lower: string, profanity: ProfanityFinding, spam: Spam, links: string[]): Risk {
  const findings: RiskFinding[] = [];
  if (profanity.severity === 'severe') {
    findings.push({ level: 'high', type: 'hate', reason: `slur: ${profanity.words.map(censorWord).join(', ')}` });
  }
  if (HARASSMENT.test(lower)) {
    findings.push({ level: 'high', type: 'harassment', reason: 'threat or self-harm wish aimed at someone' });
  } else if (profanity.words.length > 0 && SECOND_PERSON.test(lower)) {
    findings.push({
      level: profanity.severity === 'mild' ? 'medium' : 'high',
      type: 'harassment',
      reason: `profanity aimed at someone: ${profanity.words.map(censorWord).join(', ')}`,
    });
  }
  if (profanity.severity === 'mild' || profanity.severity === 'strong') {
    findings.push({
      level: profanity.severity === 'strong' ? 'medium' : 'low',
      type: 'profanity',
      reason: `profanity: ${profanity.words.map(censorWord).join(', ')}`,
    });
  }
  for (const { pattern, reason } of INJECTION_PATTERNS) {
    if (pattern.test(lower)) {
      findings.push({ level: 'medium', type: 'injection', reason: `prompt injection: ${reason}` });
      break;
    }
  }
  const promo = SELF_PROMO.test(lower);
  if (promo) {
    findings.push({
      level: links.length > 0 ? 'high' : 'low',
      type: 'self-promo',
      reason: links.length > 0 ? `self-promotion with a link: ${links[0]}` : 'self-promotion',
    });
  }
  if (links.length > 0) findings.push({ level: 'low', type: 'link', reason: `link: ${links.slice(0, 3).join(', ')}` });
  if (spam.isSpam) {
    findings.push({
      level: spam.score >= 0.85 ? 'high' : 'medium',
      type: 'spam',
      reason: `spam (${spam.signals.join(', ')})`,
    });
  }
  let level: RiskLevel = 'none';
  let type: RiskType = 'none';
  for (const finding of findings) {
    const higher = compareRiskLevel(finding.level, level);
    const tieWins =
      higher === 0 && RISK_TYPE_PRIORITY.indexOf(finding.type) < RISK_TYPE_PRIORITY.indexOf(type as RiskType);
    if (higher > 0 || tieWins) {
      level = finding.level;
      type = finding.type;
    }
  }
  return { level, type, reasons: findings.map((finding) => finding.reason.slice(0, 200)) };
}

function classifyIntent(
  cleaned: string,
  lower: string,
  census: WordCensus,
  spam: Spam,
  sentimentScore: number,
  botName: string,
): Intent {
  if (spam.isSpam) return { label: 'spam', confidence: spam.score };
  if (/^![\p{L}\p{N}]/u.test(cleaned)) return { label: 'command', confidence: 0.99 };
  const mention = mentionPattern(botName);
  if (mention !== null && mention.test(cleaned)) return { label: 'mention', confidence: 0.95 };
  const hasQuestionMark = QUESTION_MARK.test(cleaned);
  const firstWord = census.words[0] ?? '';
  if ((GREETING.test(lower) || GREETING_EMOTES.has(firstWord)) && (!hasQuestionMark || census.words.length <= 5)) {
    return { label: 'greeting', confidence: 0.85 };
  }
  if (hasQuestionMark) return { label: 'question', confidence: 0.9 };
  if (QUESTION_START.test(lower) && census.words.length >= 3) return { label: 'question', confidence: 0.7 };
  if (LAUGHTER.test(lower) || census.words.some((word) => word === 'LUL' || word === 'KEKW' || word === '4Head')) {
    return { label: 'joke', confidence: 0.7 };
  }
  const strength = Math.min(0.95, 0.5 + Math.abs(sentimentScore) / 2);
  if (sentimentScore >= 0.3) return { label: 'praise', confidence: strength };
  if (sentimentScore <= -0.3) return { label: 'critique', confidence: strength };
  return { label: 'other', confidence: 0.4 };
}

/**
 * Analyzes one chat message and records it in `state` (rate and copy-pasta windows).
 * Never throws on any text.
 */
export function analyzeMessage(input: MessageInput, state: AnalyzerState, options: AnalyzeOptions): MessageAnalysis {
  const raw = input.text.length > ANALYZED_LENGTH ? input.text.slice(0, ANALYZED_LENGTH) : input.text;
  const { text: cleaned, removed } = cleanText(raw);
  const lower = cleaned.toLowerCase();
  const emoteNames = twitchEmoteNames(input);
  const census = censusOf(cleaned, emoteNames);
  const links = cleaned.match(LINK)?.map((link) => link.replace(/\s/g, '').slice(0, 80)) ?? [];
  const seen = state.observe(input.userId, input.eventId, copyPastaKey(cleaned), input.at);
  const trusted = input.roles?.some((role) => TRUSTED_ROLES.has(role)) ?? false;
  const promo = SELF_PROMO.test(lower);
  const spam = detectSpam(raw, cleaned, removed, census, emoteNames, links.length, seen, state, trusted, promo);
  const profanity = findProfanity(cleaned);
  const toxicity: Toxicity = {
    profane: profanity.words.length > 0,
    terms: profanity.words.slice(0, 20).map(censorWord),
    severity: profanity.severity,
  };
  const sentiment = scoreSentiment(cleaned);
  const risk = assessRisk(lower, profanity, spam, links);
  const intent = classifyIntent(cleaned, lower, census, spam, sentiment.score, options.botName);
  const tokens = { cleanedText: cleaned, count: estimateTokens(cleaned), removed };
  return { intent, sentiment, toxicity, spam, risk, tokens };
}

/** The numbers rules compare most often, lifted onto the annotation itself. */
function scoreAndConfidence(kind: AnalysisKind, analysis: MessageAnalysis): Pick<Annotation, 'score' | 'confidence'> {
  switch (kind) {
    case 'intent':
      return { confidence: analysis.intent.confidence };
    case 'sentiment':
      return { score: analysis.sentiment.score };
    case 'toxicity':
      return { score: analysis.toxicity.profane ? 1 : 0 };
    case 'spam':
      return { score: analysis.spam.score };
    case 'risk':
      return { score: riskScore(analysis.risk.level) };
    case 'tokens':
      return { score: analysis.tokens.count };
  }
}

const KINDS_IN_ORDER: readonly AnalysisKind[] = ['tokens', 'toxicity', 'spam', 'sentiment', 'intent', 'risk'];

/**
 * One annotation per kind. `sources` names where a value came from when it is not the local
 * analysis (the LLM classification).
 */
export function analysisToAnnotations(
  analysis: MessageAnalysis,
  at: number,
  sources: Partial<Record<AnalysisKind, string>> = {},
): Annotation[] {
  return KINDS_IN_ORDER.map((kind) => ({
    kind,
    source: sources[kind] ?? ANALYZER_SOURCE,
    value: analysis[kind],
    ...scoreAndConfidence(kind, analysis),
    at,
  }));
}
