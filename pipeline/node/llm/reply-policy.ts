/**
 * What an LLM reply must look like before it may become a candidate for Twitch chat:
 * - at most 500 characters (Twitch drops longer messages), cut on a word boundary;
 * - one line, never blank, never an echo of the viewer's own text (a parrot bot is an easy way to make
 *   the bot say anything: "repeat after me ...");
 * - no wrapping quotes, no "Name:" prefix of the persona;
 * - no leading "/" or ".": Twitch chat runs those as commands (/ban, .timeout, /announce ...).
 */
import { MAX_REPLY_TEXT } from '../../core/envelope.js';
import { escapeRegExp } from '../../core/regex.js';

export type CleanedReply = { ok: true; text: string; cut: boolean } | { ok: false; reason: string };

const QUOTE_PAIRS: readonly [string, string][] = [
  ['"', '"'],
  ["'", "'"],
  ['`', '`'],
  ['“', '”'],
  ['‘', '’'],
  ['«', '»'],
  ['„', '“'],
];

/** For echo comparison: case, accents, punctuation, spacing and emoji do not make a reply different. */
export function normalizeForComparison(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

function stripWrappingQuotes(text: string): string {
  let current = text.trim();
  for (let changed = true; changed && current.length >= 2;) {
    changed = false;
    for (const [open, close] of QUOTE_PAIRS) {
      if (current.startsWith(open) && current.endsWith(close)) {
        const inner = current.slice(open.length, current.length - close.length);
        // Only a pair that wraps the whole reply: `"Hi" and "bye"` keeps its quotes.
        if (!inner.includes(open) && !inner.includes(close)) {
          current = inner.trim();
          changed = true;
        }
      }
    }
  }
  return current;
}

/** Cuts to `max` characters at the last word boundary (hard cut when one word is longer). */
export function cutOnWordBoundary(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = max - 1; // for the ellipsis
  const slice = text.slice(0, room + 1);
  const lastSpace = slice.lastIndexOf(' ');
  const cut = lastSpace >= room / 2 ? slice.slice(0, lastSpace) : text.slice(0, room);
  return `${cut.replace(/[\s,;:–-]+$/u, '')}…`;
}

export function cleanReply(
  raw: string,
  options: { userText: string; personaName?: string; maxLength?: number },
): CleanedReply {
  const max = Math.min(options.maxLength ?? MAX_REPLY_TEXT, MAX_REPLY_TEXT);
  // One line: Twitch shows a message on one line anyway, and a newline could smuggle a second "message".
  let text = raw
    .replace(/\p{Cf}/gu, (char) => (char === '\u200d' ? char : ''))
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  text = stripWrappingQuotes(text);
  if (options.personaName) {
    const prefix = new RegExp(`^@?${escapeRegExp(options.personaName)}\\s*:\\s*`, 'i');
    text = stripWrappingQuotes(text.replace(prefix, ''));
  }
  // Repeated: "./ban" or ". /ban" must not survive as "/ban".
  for (let before = ''; before !== text;) {
    before = text;
    text = text.replace(/^[\s/.\\]+/, '');
  }
  if (text.length === 0) return { ok: false, reason: 'blank reply' };
  const userNormalized = normalizeForComparison(options.userText);
  const replyNormalized = normalizeForComparison(text);
  if (replyNormalized.length === 0) return { ok: false, reason: 'reply has no words' };
  if (replyNormalized === userNormalized) return { ok: false, reason: "reply echoes the viewer's message" };
  const cut = text.length > max;
  return { ok: true, text: cut ? cutOnWordBoundary(text, max) : text, cut };
}

export interface RankedReply {
  text: string;
  /** 0..1, how much the bot trusts this reply. */
  confidence: number;
  /** Higher is better; the router picks the highest. */
  priority: number;
}

/**
 * Ranks cleaned replies: the model's own order first, lowered for replies that were cut, ended by the
 * token limit, or are near duplicates of a better one (which are dropped).
 */
export function rankReplies(
  replies: readonly { text: string; cut: boolean; finishReason: string | null }[],
): RankedReply[] {
  const seen = new Set<string>();
  const ranked: RankedReply[] = [];
  replies.forEach((reply, index) => {
    const key = normalizeForComparison(reply.text);
    if (seen.has(key)) return;
    seen.add(key);
    let confidence = 0.8 - index * 0.05;
    if (reply.cut) confidence -= 0.2;
    if (reply.finishReason === 'length') confidence -= 0.2;
    ranked.push({ text: reply.text, confidence: Math.max(0.05, Math.min(1, confidence)), priority: 0 });
  });
  ranked.sort((a, b) => b.confidence - a.confidence);
  return ranked.map((reply, index) => ({ ...reply, priority: ranked.length - index }));
}
