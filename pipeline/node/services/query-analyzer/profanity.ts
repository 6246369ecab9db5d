/**
 * Profanity through `obscenity` (English dataset + its recommended transformers: leet speak,
 * confusables, "f.u.c.k" spacing, "fuuuck" duplicates), built once per process.
 *
 * Why a prefilter: obscenity runs one regular expression per dataset term (about 120) over the
 * transformed text, about 20 µs for any message, which alone would eat most of the analyzer's
 * budget. The prefilter applies obscenity's own transformers once and tests one alternation of the
 * same term expressions: a message without any match (almost all of chat) is answered in ~3 µs, and
 * anything that might match goes through the full matcher (whitelist and all). The prefilter reads
 * two private members of `RegExpMatcher`; when a future version changes them it switches itself off
 * and every message takes the full path (`profanityPrefilterActive` tells which, and a test checks).
 */
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import type { ToxicitySeverity } from '../../../core/analysis.js';

const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });

interface MatcherInternals {
  blacklistedTerms: Array<{ regExp: RegExp }>;
  blacklistMatcherTransformers: unknown;
  applyTransformers(input: string, transformers: unknown): [number[], string];
}

function buildPrefilter(): ((text: string) => boolean) | undefined {
  const internals = matcher as unknown as Partial<MatcherInternals>;
  const terms = internals.blacklistedTerms;
  const apply = internals.applyTransformers;
  if (!Array.isArray(terms) || terms.length === 0 || typeof apply !== 'function') return undefined;
  if (!terms.every((term) => term.regExp instanceof RegExp)) return undefined;
  const anyTerm = new RegExp(terms.map((term) => `(?:${term.regExp.source})`).join('|'), 's');
  const transformers = internals.blacklistMatcherTransformers;
  return (text) => {
    const transformed = apply.call(matcher, text, transformers);
    return Array.isArray(transformed) && typeof transformed[1] === 'string' ? anyTerm.test(transformed[1]) : true;
  };
}

const prefilter = buildPrefilter();

/** True when the fast path is in use (obscenity's internals look as expected). */
export const profanityPrefilterActive = prefilter !== undefined;

/** Slurs: hate speech, a ban-worthy offence on Twitch. */
const SEVERE = new Set([
  'abo',
  'abeed',
  'africoon',
  'arabush',
  'boonga',
  'chingchong',
  'chink',
  'dyke',
  'fag',
  'kike',
  'negro',
  'nigger',
  'retard',
  'spastic',
  'tranny',
]);
/** Sexual or degrading terms: worse than swearing, usually aimed at someone. */
const STRONG = new Set([
  'bestiality',
  'blowjob',
  'cum',
  'cunt',
  'deepthroat',
  'double penetration',
  'ejaculate',
  'fellatio',
  'finger bang',
  'fisting',
  'gangbang',
  'handjob',
  'incest',
  'jizz',
  'masturbate',
  'rape',
  'semen',
  'slut',
  'whore',
]);

export interface ProfanityFinding {
  /** The dataset's words that matched ("fuck"), deduplicated, uncensored: for internal decisions only. */
  words: string[];
  severity: ToxicitySeverity;
}

const SEVERITY_RANK: Record<ToxicitySeverity, number> = { none: 0, mild: 1, strong: 2, severe: 3 };

export function findProfanity(text: string): ProfanityFinding {
  if (prefilter !== undefined && !prefilter(text)) return { words: [], severity: 'none' };
  const words: string[] = [];
  let severity: ToxicitySeverity = 'none';
  for (const match of matcher.getAllMatches(text, true)) {
    const word = englishDataset.getPayloadWithPhraseMetadata(match).phraseMetadata?.originalWord;
    if (word === undefined || words.includes(word)) continue;
    words.push(word);
    const wordSeverity: ToxicitySeverity = SEVERE.has(word) ? 'severe' : STRONG.has(word) ? 'strong' : 'mild';
    if (SEVERITY_RANK[wordSeverity] > SEVERITY_RANK[severity]) severity = wordSeverity;
  }
  return { words, severity };
}

/** "fuck" → "f***": safe to show in the console and to store. */
export function censorWord(word: string): string {
  return word
    .split(' ')
    .map((part) => (part.length <= 1 ? part : part[0] + '*'.repeat(part.length - 1)))
    .join(' ');
}
