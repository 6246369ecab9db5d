/**
 * Text folding for the safety layers: what a human reads, whatever the disguise.
 *
 * The analyzer's `cleanText` already removes zero-width and bidi characters, applies NFKC (full-width
 * and mathematical letters) and folds Cyrillic/Greek look-alikes. On top of that the detectors see:
 * - `unspaced`: "b i t . l y" and "d o t" spelled out letter by letter joined back into words;
 * - `dotted`: "dot com", "(dot) xyz", "[.] gg" as a real dot, so a disguised domain reads as one;
 * - `leet`: 0→o, 1→i, 3→e, 4→a, 5→s, 7→t, @→a, $→s, for keyword patterns (obscenity has its own);
 * - base64 runs decoded, so an instruction or a reply hidden in base64 is read too.
 */
import { cleanText } from '../services/query-analyzer/text-cleaning.js';

export interface FoldedText {
  /** Cleaned (zero-width, look-alikes, NFKC), case kept: spans found here are shown to moderators. */
  clean: string;
  /** Lower case, single letters joined, spelled-out dots made real. */
  dotted: string;
  /** `dotted` with leetspeak digits and symbols read as letters. */
  leet: string;
  /** Base64 runs in the text, decoded when they are printable text. */
  decoded: string[];
}

// Five or more single characters separated by single spaces: "b i t . l y", "k y s".
const SPACED_LETTERS = /(?<![\p{L}\p{N}])(?:[\p{L}\p{N}.] ){3,}[\p{L}\p{N}.](?![\p{L}\p{N}])/gu;
/**
 * Top-level domains that spam uses and that are not everyday English words: "see you at the dot in
 * the middle" must not become a link, "free nitro dot gift" must.
 */
export const LINK_TLDS =
  'com|net|org|io|gg|tv|ru|xyz|ly|link|shop|store|live|info|biz|top|site|online|click|pro|fun|de|es|uk|fr|jp|cc|su|gift|club|app|dev|ws|tk|ml|ga|cf|gq|pw|cn|icu|vip|win|bid|stream|sbs|cfd|rest|monster|cam|lol|page|tech|space|website|life|world|today|codes|money|promo|sale|deals';
// "dot", "d0t", "[.]", "(dot)", or a dot with spaces around it, before one of those TLDs.
const DISGUISED_DOT = new RegExp(
  `\\s*[([{<]?\\s*(?:\\bdot\\b|\\bd0t\\b|\\.)\\s*[)\\]}>]?\\s*(?=(?:${LINK_TLDS})\\b)`,
  'gi',
);
const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
};
const BASE64_RUN = /[A-Za-z0-9+/]{16,}={0,2}/g;

function decodeBase64Runs(text: string): string[] {
  const decoded: string[] = [];
  for (const run of text.match(BASE64_RUN) ?? []) {
    const plain = Buffer.from(run, 'base64').toString('utf8');
    // Only text a model could read: mostly printable, with spaces between words.
    if (/^[\x20-\x7e\s]{8,}$/.test(plain) && /\s/.test(plain)) decoded.push(plain);
  }
  return decoded.slice(0, 5);
}

export function foldText(raw: string): FoldedText {
  const clean = cleanText(raw.replace(/[\r\n\t]+/g, ' ')).text;
  const lower = clean.toLowerCase();
  const joined = lower.replace(SPACED_LETTERS, (run) => run.replace(/ /g, ''));
  const dotted = joined.replace(DISGUISED_DOT, (match, offset: number) =>
    // Only between a word and the TLD: "... dot com" at the start of nothing stays as it is.
    offset > 0 && /[\p{L}\p{N}]/u.test(joined[offset - 1] ?? '') ? '.' : match,
  );
  const leet = dotted.replace(/[013457@$]/g, (char) => LEET[char] ?? char);
  return { clean, dotted, leet, decoded: decodeBase64Runs(clean) };
}

/** Lower-case letters and digits only: how a canary is compared, whatever separates its parts. */
export function compact(text: string): string {
  return cleanText(text)
    .text.toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** Words for overlap checks: lower case, letters and digits, punctuation dropped. */
export function words(text: string): string[] {
  return cleanText(text)
    .text.toLowerCase()
    .split(/[^\p{L}\p{N}']+/u)
    .filter((word) => word.length > 0);
}
