/**
 * Token filtering: turns raw chat text into the text downstream prompts and matchers see.
 *
 * Chat clients and trolls hide things in text: Chatterino and 7TV append U+E0000 (a "tag" character)
 * or U+034F to dodge Twitch's "identical message" check, bidi controls reorder what moderators read,
 * zero-width characters split banned words ("f\u200Buck"), and Cyrillic/Greek look-alikes or
 * full-width letters disguise them ("fuсk" with a Cyrillic "с"). Cleaning removes all of that so the
 * profanity filter, the copy-pasta detector and the LLM prompt see what a human reads.
 *
 * Printable ASCII (most chat) takes a fast path: only repetition is collapsed.
 */

export interface CleanedText {
  /** Normalized text, original case kept. */
  text: string;
  /** What was removed or changed, in the order the steps ran (no duplicates). */
  removed: string[];
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** Zero-width and invisible format characters, the Unicode tag block and Hangul fillers used as blanks. */
const INVISIBLE =
  /[\u00ad\u061c\u115f\u1160\u180e\u200b\u200c\u2060-\u2064\ufeff\u3164\uffa0]|\u034f|\u17b4|\u17b5|\u180b|\u180c|\u180d|[\u{e0000}-\u{e007f}]/gu;
/** U+200D joins emoji ("👨‍👩‍👧"): kept between two pictographs, removed elsewhere. */
const ZERO_WIDTH_JOINER = /\u200d/g;
const BIDI_CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const LINE_BREAKS_AND_TABS = /[\t\n\r\u2028\u2029]+/g;
const PICTOGRAPH = /\p{Extended_Pictographic}|\ufe0f|\p{Emoji_Modifier}/u;
/** More than 3 of the same character in a row ("loooool", "!!!!!!"). */
const CHARACTER_RUNS = /(.)\1{3,}/gsu;
const SPACES = / {2,}/g;

/**
 * Cyrillic and Greek letters that look like Latin ones. NFKC already folds full-width and
 * mathematical letters ("ｆｕｃｋ", "𝐟𝐮𝐜𝐤") to ASCII; these survive NFKC because they are real letters
 * of another script.
 */
const LOOKALIKES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    // Cyrillic lower case
    а: 'a',
    в: 'b',
    е: 'e',
    ё: 'e',
    к: 'k',
    м: 'm',
    н: 'h',
    о: 'o',
    р: 'p',
    с: 'c',
    т: 't',
    у: 'y',
    х: 'x',
    ѕ: 's',
    і: 'i',
    ї: 'i',
    ј: 'j',
    ԁ: 'd',
    ӏ: 'l',
    ԛ: 'q',
    ԝ: 'w',
    һ: 'h',
    ɡ: 'g',
    ү: 'y',
    ь: 'b',
    // Cyrillic upper case
    А: 'A',
    В: 'B',
    Е: 'E',
    Ё: 'E',
    К: 'K',
    М: 'M',
    Н: 'H',
    О: 'O',
    Р: 'P',
    С: 'C',
    Т: 'T',
    У: 'Y',
    Х: 'X',
    Ѕ: 'S',
    І: 'I',
    Ї: 'I',
    Ј: 'J',
    Ԁ: 'D',
    Ӏ: 'I',
    Ԛ: 'Q',
    Ԝ: 'W',
    Һ: 'H',
    Ү: 'Y',
    // Greek
    α: 'a',
    β: 'b',
    ε: 'e',
    ι: 'i',
    κ: 'k',
    ν: 'v',
    ο: 'o',
    ρ: 'p',
    τ: 't',
    υ: 'u',
    χ: 'x',
    γ: 'y',
    Α: 'A',
    Β: 'B',
    Ε: 'E',
    Ζ: 'Z',
    Η: 'H',
    Ι: 'I',
    Κ: 'K',
    Μ: 'M',
    Ν: 'N',
    Ο: 'O',
    Ρ: 'P',
    Τ: 'T',
    Υ: 'Y',
    Χ: 'X',
  }),
);
const LOOKALIKE_CLASS = new RegExp(`[${[...LOOKALIKES.keys()].join('')}]`, 'g');
const HAS_LOOKALIKE = new RegExp(`[${[...LOOKALIKES.keys()].join('')}]`);
const LATIN_LETTER = /[a-z]/gi;
const ANY_LETTER = /\p{L}/gu;

function countMatches(text: string, pattern: RegExp): number {
  pattern.lastIndex = 0;
  let count = 0;
  while (pattern.exec(text) !== null) count++;
  return count;
}

/**
 * Folds look-alikes to Latin only where they disguise Latin words, so real Russian or Greek stays
 * intact: inside a word that mixes Latin letters and look-alikes ("fuсk"), or in a word made only of
 * look-alikes when the rest of the message is Latin ("hey соск").
 */
function foldLookalikes(text: string): string {
  if (!HAS_LOOKALIKE.test(text)) return text;
  const words = text.split(' ');
  const latin = countMatches(text, LATIN_LETTER);
  const letters = countMatches(text, ANY_LETTER);
  const mostlyLatin = latin * 2 > letters;
  let changed = false;
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    if (!HAS_LOOKALIKE.test(word)) continue;
    const wordLatin = countMatches(word, LATIN_LETTER);
    const wordLetters = countMatches(word, ANY_LETTER);
    const lookalikes = countMatches(word, LOOKALIKE_CLASS);
    const mixed = wordLatin > 0 && wordLatin + lookalikes === wordLetters;
    const disguised = wordLatin === 0 && lookalikes === wordLetters && mostlyLatin;
    if (!mixed && !disguised) continue;
    words[index] = word.replace(LOOKALIKE_CLASS, (char) => LOOKALIKES.get(char) ?? char);
    changed = true;
  }
  return changed ? words.join(' ') : text;
}

function removeStrayJoiners(text: string): string {
  return text.replace(ZERO_WIDTH_JOINER, (joiner, offset: number) => {
    const before = text.codePointAt(offset - 1) ?? 0;
    const beforePair = offset >= 2 ? (text.codePointAt(offset - 2) ?? 0) : 0;
    const after = text.codePointAt(offset + 1) ?? 0;
    const previousIsPictograph =
      PICTOGRAPH.test(String.fromCodePoint(before)) ||
      (beforePair > 0xffff && PICTOGRAPH.test(String.fromCodePoint(beforePair)));
    return previousIsPictograph && PICTOGRAPH.test(String.fromCodePoint(after)) ? joiner : '';
  });
}

/**
 * Collapses runs of the same word: three or more in a row become one ("Kappa Kappa Kappa" → "Kappa"),
 * two stay ("no no"). Case-insensitive, so "LUL lul LUL" collapses too.
 */
export function collapseRepeatedWords(text: string): string {
  const words = text.split(' ');
  if (words.length < 3) return text;
  const kept: string[] = [];
  let runStart = 0;
  for (let index = 1; index <= words.length; index++) {
    const same = index < words.length && words[index]!.toLowerCase() === words[runStart]!.toLowerCase();
    if (same) continue;
    const runLength = index - runStart;
    if (runLength >= 3) kept.push(words[runStart]!);
    else for (let offset = runStart; offset < index; offset++) kept.push(words[offset]!);
    runStart = index;
  }
  return kept.length === words.length ? text : kept.join(' ');
}

function step(text: string, pattern: RegExp, replacement: string, label: string, removed: string[]): string {
  const next = text.replace(pattern, replacement);
  if (next !== text && !removed.includes(label)) removed.push(label);
  return next;
}

/** Cleans one chat message. Never throws; the result is never longer than the input after NFKC. */
export function cleanText(raw: string): CleanedText {
  const removed: string[] = [];
  let text = raw;
  if (!PRINTABLE_ASCII.test(text)) {
    text = step(text, LINE_BREAKS_AND_TABS, ' ', 'line-breaks', removed);
    text = step(text, BIDI_CONTROLS, '', 'bidi-control', removed);
    text = step(text, CONTROLS, '', 'control', removed);
    const visible = removeStrayJoiners(text.replace(INVISIBLE, ''));
    if (visible !== text) removed.push('zero-width');
    text = visible;
    const compatible = text.normalize('NFKC');
    if (compatible !== text) removed.push('compatibility-form');
    text = compatible;
    const folded = foldLookalikes(text);
    if (folded !== text) removed.push('homoglyph');
    text = folded;
  }
  text = step(text, CHARACTER_RUNS, '$1$1$1', 'repeated-chars', removed);
  text = text.replace(SPACES, ' ').trim();
  const collapsed = collapseRepeatedWords(text);
  if (collapsed !== text) removed.push('repeated-words');
  return { text: collapsed, removed };
}

const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]/;

/**
 * A fast LLM token estimate, no tokenizer loaded: printable ASCII counts 1/4 token per character
 * (the usual rule of thumb for English with BPE tokenizers), CJK ideographs, kana and Hangul count
 * 1 per character, other scripts (Cyrillic, Greek, accented letters) 1/2 per character, and
 * characters outside the BMP (emoji) 1 each. Rounded up; good to about ±30% for budgeting prompts.
 */
export function estimateTokens(text: string): number {
  let quarterTokens = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) quarterTokens += 1;
    else if (code >= 0xd800 && code <= 0xdbff) {
      quarterTokens += 4;
      index++;
    } else if (CJK.test(text[index]!)) quarterTokens += 4;
    else quarterTokens += 2;
  }
  return Math.ceil(quarterTokens / 4);
}
