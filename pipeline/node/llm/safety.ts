/**
 * Safety on the way out: every reply the bot drafts passes these checks before it can reach chat.
 *
 * - Local: `obscenity` (English dataset with its recommended transformers, which see through
 *   l33t-speak and spacing), links (a bot that posts links is how scams and bans start), and
 *   mass mentions.
 * - OpenAI's moderation endpoint, when the endpoint is api.openai.com and the setting is on. If that
 *   check cannot be made, the reply is held: safety fails closed.
 * A failing reply is never dropped silently: it keeps `status: 'proposed'` with a reason starting
 * "held:", and the router forces moderator approval for such candidates.
 */
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import type { ModerationVerdict } from './client.js';

export const HELD_PREFIX = 'held:';

export type SafetyVerdict = { ok: true } | { ok: false; reason: string };

const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const LINK = /\b(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|io|gg|tv|ru|xyz|ly|me|co)\b(?:\/\S*)?/i;

/** The local check: cheap, offline, runs on every candidate. */
export function checkLocally(text: string): SafetyVerdict {
  const matches = matcher.getAllMatches(text, true);
  if (matches.length > 0) {
    const words = [
      ...new Set(
        matches.map((m) => englishDataset.getPayloadWithPhraseMetadata(m).phraseMetadata?.originalWord ?? 'a term'),
      ),
    ];
    return { ok: false, reason: `${HELD_PREFIX} profanity (${words.slice(0, 3).join(', ')})` };
  }
  if (LINK.test(text)) return { ok: false, reason: `${HELD_PREFIX} contains a link` };
  if ((text.match(/@\w+/g) ?? []).length > 3) return { ok: false, reason: `${HELD_PREFIX} mentions many users` };
  return { ok: true };
}

export type Moderate = (texts: string[], signal?: AbortSignal) => Promise<ModerationVerdict[]>;

/** Runs the local check on each text, and the moderation endpoint on those that pass, when given. */
export async function checkReplies(
  texts: readonly string[],
  options: { moderate?: Moderate; signal?: AbortSignal } = {},
): Promise<SafetyVerdict[]> {
  const verdicts = texts.map(checkLocally);
  const remote = options.moderate;
  if (!remote) return verdicts;
  const pending = texts.map((text, index) => ({ text, index })).filter(({ index }) => verdicts[index]!.ok);
  if (pending.length === 0) return verdicts;
  try {
    const results = await remote(
      pending.map((item) => item.text),
      options.signal,
    );
    pending.forEach(({ index }, position) => {
      const result = results[position];
      if (!result) verdicts[index] = { ok: false, reason: `${HELD_PREFIX} moderation gave no verdict` };
      else if (result.flagged) {
        const categories = result.categories.slice(0, 3).join(', ') || 'unspecified';
        verdicts[index] = { ok: false, reason: `${HELD_PREFIX} flagged by moderation (${categories})` };
      }
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const why = error instanceof Error ? error.message.slice(0, 120) : 'error';
    for (const { index } of pending)
      verdicts[index] = { ok: false, reason: `${HELD_PREFIX} moderation unavailable (${why})` };
  }
  return verdicts;
}
