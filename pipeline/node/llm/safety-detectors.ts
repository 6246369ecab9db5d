/**
 * The deterministic reply detectors: fast, local, the same for every provider.
 *
 * Each detector returns structured findings (which check, what it found, where) so a moderator
 * sees the address or the link itself. They read the folded text (`safety-text.ts`): zero-width
 * characters, look-alike letters, leetspeak, spaced letters and "dot com" do not hide anything.
 * Patterns err on the side of holding: a false hold costs a moderator one click, a miss goes on air.
 */
import type { ReplyDetector, SafetyFindingInput, SafetySettings } from '../../core/safety.js';
import { findProfanity } from '../services/query-analyzer/profanity.js';
import { compact, foldText, LINK_TLDS, words, type FoldedText } from './safety-text.js';
import { escapeRegExp } from '../../core/regex.js';

export interface ReplyContext {
  /** The system message the reply was written under (leak overlap). */
  systemPrompt?: string;
  /** The per-request canary placed in that system message. */
  canary?: string;
  /** The prompt's data-fence boundary: it must never appear in a reply either. */
  boundary?: string;
  /** The channel (streamer) name, for impersonation. */
  channel?: string;
  /** Names of people in the conversation (the asker's login and display name, mentioned users). */
  names?: readonly string[];
}

type Finding = SafetyFindingInput & { check: ReplyDetector };

/** Matches on the readable folded text first, so the finding shows what the draft says; leetspeak second. */
function matchFolded(folded: FoldedText, pattern: RegExp): RegExpMatchArray | null {
  return folded.dotted.match(pattern) ?? folded.leet.match(pattern);
}
type Detector = (folded: FoldedText, context: ReplyContext) => Finding[];

function spanOf(clean: string, found: string): number | undefined {
  const index = clean.toLowerCase().indexOf(found.toLowerCase());
  return index >= 0 ? index : undefined;
}

function finding(check: ReplyDetector, kind: string, found: string, clean: string, overridable = true): Finding {
  const at = spanOf(clean, found);
  return { check, kind, found: found.slice(0, 300), ...(at !== undefined ? { at } : {}), overridable };
}

// ---------------------------------------------------------------- leak

const SENTENCE_SPLIT = /(?<=[.!?:])\s+|\n+/;
const SHINGLE = 5;

function shingles(list: readonly string[]): Set<string> {
  const set = new Set<string>();
  for (let index = 0; index + SHINGLE <= list.length; index++) set.add(list.slice(index, index + SHINGLE).join(' '));
  return set;
}

/** The system prompt's sentences that the reply repeats (five words in a row, twice, or a short sentence whole). */
export function leakedSentences(reply: string, systemPrompt: string): string[] {
  const replyShingles = shingles(words(reply));
  if (replyShingles.size === 0) return [];
  const leaked: string[] = [];
  for (const sentence of systemPrompt.split(SENTENCE_SPLIT)) {
    const sentenceWords = words(sentence);
    if (sentenceWords.length < SHINGLE) continue;
    let shared = 0;
    for (const shingle of shingles(sentenceWords)) if (replyShingles.has(shingle)) shared++;
    const whole = sentenceWords.length - SHINGLE + 1;
    if (shared >= Math.min(2, whole)) leaked.push(sentence.trim());
  }
  return leaked;
}

const detectLeak: Detector = (folded, context) => {
  const found: Finding[] = [];
  const text = [folded.clean, ...folded.decoded].join(' ');
  const flat = compact(text);
  if (context.canary && flat.includes(compact(context.canary)))
    found.push(finding('leak', 'canary', context.canary, folded.clean, false));
  if (context.boundary && flat.includes(compact(context.boundary)))
    found.push(finding('leak', 'boundary', context.boundary, folded.clean, false));
  if (context.systemPrompt) {
    for (const sentence of leakedSentences(text, context.systemPrompt).slice(0, 5))
      found.push({ check: 'leak', kind: 'system prompt', found: sentence.slice(0, 300), overridable: false });
  }
  return found;
};

// ---------------------------------------------------------------- personal data

const EMAIL =
  /[a-z0-9._%+-]+\s*(?:@|\(at\)|\[at\])\s*[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b|[a-z0-9._%+-]+\s+at\s+(?:gmail|googlemail|yahoo|hotmail|outlook|live|proton(?:mail)?|icloud|aol|gmx|mail|yandex|web)\.[a-z]{2,}\b/gi;
const PHONE =
  /(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\d{3}[\s.-])\d{3}[\s.-]?\d{3,4}(?![\w.])|(?<![\w.])\d{3}[\s.-]\d{4}(?![\w.-])|(?<![\w.])\+\d{8,14}(?!\w)/g;
const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])/g;
const IPV6 = /(?<![\w:])(?:[0-9a-f]{1,4}:){4,7}[0-9a-f]{1,4}(?![\w:])/gi;
// A house number, one to four capitalised words, a street type: "1428 Elm Street", "221b Baker St".
const STREET =
  /\b\d{1,6}[a-zA-Z]?\s+(?:[A-Z][\p{L}'-]*\.?\s+){1,4}(?:[Ss]treet|St|[Aa]venue|Ave|[Rr]oad|Rd|[Bb]oulevard|Blvd|[Ll]ane|Ln|[Dd]rive|Dr|[Cc]ourt|Ct|[Ww]ay|[Pp]lace|Pl|[Tt]errace|[Pp]arkway|Pkwy|[Cc]ircle|[Hh]ighway|Hwy|[Ss]tra(?:ß|ss)e|Str)\b\.?/gu;
const POSTAL_LINE = /\b(?:apt|apartment|suite|unit|flat)\s*#?\s*\d+[a-z]?\b/gi;
const WALLETS: ReadonlyArray<{ kind: string; pattern: RegExp }> = [
  { kind: 'bitcoin wallet', pattern: /\b(?:bc1[a-z0-9]{25,59}|[13][a-km-zA-HJ-NP-Z1-9]{25,34})\b/g },
  { kind: 'ethereum wallet', pattern: /\b0x[a-fA-F0-9]{40}\b/g },
  { kind: 'monero wallet', pattern: /\b4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b/g },
];

const detectPersonalData: Detector = (folded) => {
  const found: Finding[] = [];
  const add = (kind: string, pattern: RegExp, text: string): void => {
    for (const match of text.match(pattern) ?? []) found.push(finding('personal-data', kind, match, folded.clean));
  };
  add('e-mail address', EMAIL, folded.dotted);
  add('phone number', PHONE, folded.clean);
  add('IP address', IPV4, folded.clean);
  add('IP address', IPV6, folded.clean);
  add('street address', STREET, folded.clean);
  add('street address', POSTAL_LINE, folded.clean);
  for (const wallet of WALLETS) add(wallet.kind, wallet.pattern, folded.clean);
  return found;
};

// ---------------------------------------------------------------- links

const URL_SCHEME = /\b(?:https?|ftp|hxxps?):\/\/\S+|\bwww\.\S+/gi;
const DOMAIN = new RegExp(
  `(?<![\\p{L}\\p{N}@.-])(?:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\\.)+(?:${LINK_TLDS})\\b(?:/\\S*)?`,
  'giu',
);
const SHORTENERS =
  /\b(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|is\.gd|cutt\.ly|rb\.gy|shorturl\.at|ow\.ly|buff\.ly|t\.me|wa\.me|discord\.gg|tiny\.cc|rebrand\.ly|s\.id|v\.gd)\b\S*/gi;
const PUNYCODE = /\bxn--[a-z0-9-]+(?:\.[a-z0-9-]+)*/gi;
// Letters from other scripts inside a would-be domain: "gооgle.com" with Cyrillic "о".
const MIXED_SCRIPT_DOMAIN = /[\p{L}\p{N}-]*[^\p{ASCII}][\p{L}\p{N}-]*\.[\p{L}]{2,}/gu;

const detectLinks: Detector = (folded) => {
  const found: Finding[] = [];
  const seen = new Set<string>();
  const add = (kind: string, match: string): void => {
    const key = match.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    found.push(finding('link', kind, match, folded.clean));
  };
  for (const match of folded.clean.match(PUNYCODE) ?? []) add('punycode domain', match);
  for (const match of folded.dotted.match(SHORTENERS) ?? []) add('link shortener', match);
  for (const match of folded.clean.match(URL_SCHEME) ?? []) add('url', match);
  const literal = new Set((folded.clean.toLowerCase().match(DOMAIN) ?? []).map((match) => match));
  for (const match of folded.dotted.match(DOMAIN) ?? []) {
    if ([...seen].some((key) => key.includes(match.toLowerCase()))) continue;
    add(literal.has(match) ? 'domain' : 'disguised domain', match);
  }
  return found;
};

/** Look-alike letters are folded before the other checks; this one looks at the raw reply. */
function detectMixedScriptLinks(raw: string): Finding[] {
  return (raw.match(MIXED_SCRIPT_DOMAIN) ?? [])
    .filter((match) => /\p{Script=Latin}/u.test(match) && /[\p{Script=Cyrillic}\p{Script=Greek}]/u.test(match))
    .map((match) => ({ check: 'link', kind: 'look-alike domain', found: match.slice(0, 300) }) as Finding);
}

// ---------------------------------------------------------------- slurs and profanity

const detectSlurs: Detector = (folded) => {
  const texts = [folded.clean, folded.dotted, ...folded.decoded];
  const found: Finding[] = [];
  const seen = new Set<string>();
  for (const text of texts) {
    const profanity = findProfanity(text);
    for (const word of profanity.words) {
      if (seen.has(word)) continue;
      seen.add(word);
      const kind = profanity.severity === 'severe' ? 'slur' : profanity.severity === 'strong' ? 'sexual' : 'profanity';
      found.push({ check: 'slur', kind, found: word });
    }
  }
  return found;
};

// ---------------------------------------------------------------- harassment

// Words that insult a person. Gaming words that also describe things ("that boss sucks", "trash
// loot") are left to the phrases below, which need a person as their object.
const INSULTS =
  'idiot|stupid|dumb|moron|loser|ugly|pathetic|worthless|useless|trash|garbage|clown|disgusting|failure|braindead|brain dead|creep|freak|waste of space|embarrassment|subhuman|vermin|scum|retard';
const INSULT_PHRASES =
  /\b(?:nobody likes (?:you|him|her|them)|no one likes (?:you|him|her|them)|everyone hates (?:you|him|her|them)|i hate you|shut up|get lost|you suck|(?:he|she|they) sucks?)\b/;
const SELF_HARM =
  /\b(?:kys|kill (?:yo)?urself|end (?:it all|your life)|go die|you should die|hope you die|neck yourself|unalive yourself|cut yourself|jump off|nobody would miss you|world would be better without you)\b/;
// Words that may stand between the person and the insult ("a total", "so dumb and").
const MODIFIERS = String.raw`(?:(?:such|so|a|an|the|just|really|totally|total|complete|absolute|big|little|and|pathetic|worthless|stupid|dumb|ugly)\s+){0,4}`;
// "you are a worthless idiot", "ur so dumb", "you pathetic losers": the insult is said of the person.
const AIMED = new RegExp(String.raw`\b(?:you(?:'re| are| r)?|ur|u r|youre|ya)\s+${MODIFIERS}(?:${INSULTS})s?\b`);

const SAID_OF = String.raw`(?:'s|\s+(?:is|was|are|looks|seems|sounds))\s+${MODIFIERS}(?:${INSULTS})s?\b`;
// The words an insult is said of: "ann is a worthless clown" (ann), "loser @bob" (bob). One pattern
// for every name: compiling one per name and reply cost more than all the matching. The lookaheads
// consume only the word, so every word of the sentence is tried.
const WORD_INSULTED = new RegExp(String.raw`\b(\w+)\b(?=${SAID_OF})`, 'g');
const INSULT_THEN_WORD = new RegExp(String.raw`\b(?:${INSULTS})s?\s+@?(?=(\w+)\b)`, 'g');
const WORD = /^\w+$/;

function insultedWords(text: string, into: Set<string>): void {
  for (const match of text.matchAll(WORD_INSULTED)) into.add(match[1]!);
  for (const match of text.matchAll(INSULT_THEN_WORD)) into.add(match[1]!);
}

/** A name of several parts ("jo-ann"): its own pattern (compiled once per reply), as rare as such names are. */
function insultOf(name: string): RegExp {
  const escaped = escapeRegExp(name);
  return new RegExp(String.raw`\b${escaped}\b${SAID_OF}|\b(?:${INSULTS})s?\s+@?${escaped}\b`);
}

const detectHarassment: Detector = (folded, context) => {
  const found: Finding[] = [];
  const selfHarm = matchFolded(folded, SELF_HARM);
  if (selfHarm) found.push(finding('harassment', 'self-harm encouragement', selfHarm[0], folded.clean));
  const names = [
    ...new Set([...(context.names ?? []), ...(folded.clean.match(/@[\w]{2,25}/g) ?? []).map((m) => m.slice(1))]),
  ]
    .map((name) => name.toLowerCase())
    .filter((name) => name.length >= 2);
  const ownPatterns = new Map(names.filter((name) => !WORD.test(name)).map((name) => [name, insultOf(name)]));
  const sentences = folded.dotted.split(/(?<=[.!?])\s+/);
  const leetSentences = folded.leet.split(/(?<=[.!?])\s+/);
  for (const [index, sentence] of sentences.entries()) {
    const leet = leetSentences[index] ?? sentence;
    // "ann is a worthless clown", "loser @bob": the insult is said of the named viewer.
    const insulted = new Set<string>();
    if (names.length > 0) {
      insultedWords(sentence, insulted);
      insultedWords(leet, insulted);
    }
    const named = names.find((name) => {
      const said = ownPatterns.get(name);
      return said ? said.test(sentence) || said.test(leet) : insulted.has(name);
    });
    if (named) {
      found.push(finding('harassment', `aimed at ${named}`, sentence.trim().slice(0, 200), folded.clean));
      continue;
    }
    const aimed = sentence.match(AIMED) ?? leet.match(AIMED) ?? sentence.match(INSULT_PHRASES);
    if (aimed) found.push(finding('harassment', 'insult', aimed[0], folded.clean));
  }
  return found;
};

// ---------------------------------------------------------------- instructions to viewers

const AUDIENCE = String.raw`(?:everyone|everybody|chat|y'?all|you guys|guys|viewers|all of you|people|lurkers|folks)`;
const ACTIONS = String.raw`(?:spam|raid|report|mass[- ]report|click|visit|flood|send|dm|message|follow|unfollow|join|copy|paste|go to|head (?:over )?to|brigade|dox|donate|pay|buy|sub to|type)`;
const VIEWER_INSTRUCTIONS = [
  new RegExp(
    String.raw`\b${AUDIENCE}\b[,:!]?\s+(?:should\s+|must\s+|go\s+|let'?s\s+|please\s+|needs? to\s+)*${ACTIONS}\b[^.!?]{0,60}`,
  ),
  new RegExp(String.raw`\b(?:let'?s|go|everyone go)\s+(?:raid|spam|report|brigade|flood|mass[- ]report)\b[^.!?]{0,60}`),
  new RegExp(String.raw`^(?:spam|report|raid|flood|click|copy and paste|copy-paste)\b[^.!?]{0,60}`),
];

const detectViewerInstructions: Detector = (folded) => {
  for (const pattern of VIEWER_INSTRUCTIONS) {
    const match = matchFolded(folded, pattern);
    if (match) return [finding('viewer-instructions', 'tells viewers what to do', match[0].trim(), folded.clean)];
  }
  return [];
};

// ---------------------------------------------------------------- impersonation

const ROLE = String.raw`(?:the streamer|the broadcaster|a (?:mod|moderator)|the (?:mod|moderator)s?|your (?:mod|moderator|streamer|host)|an admin|the admin|twitch (?:staff|support|admin|security)|the channel owner|the owner of this channel|the real \w+)`;
const IMPERSONATION = [
  new RegExp(String.raw`\b(?:i am|i'm|im|this is|speaking as|as)\s+${ROLE}\b`),
  /^\s*[[(<]?\s*(?:mod|moderator|admin|system|staff|broadcaster|streamer|twitch)\s*[\])>]?\s*:/,
  /\b(?:official|mod|moderator|staff) (?:announcement|notice|message|warning)\b/,
  /\bon behalf of (?:the )?(?:streamer|mods|moderators|twitch)\b/,
];

// The channel is the same for every reply: its pattern is compiled once, not per reply.
let streamerPattern: { channel: string; pattern: RegExp } | undefined;

function speaksAs(channel: string): RegExp {
  if (streamerPattern?.channel !== channel) {
    const escaped = escapeRegExp(channel);
    const pattern = new RegExp(
      String.raw`\b(?:i am|i'm|im|this is|it's|its)\s+(?:the real\s+)?@?${escaped}\b|^\s*@?${escaped}\s*(?:here|:)`,
    );
    streamerPattern = { channel, pattern };
  }
  return streamerPattern.pattern;
}

const detectImpersonation: Detector = (folded, context) => {
  for (const pattern of IMPERSONATION) {
    const match = matchFolded(folded, pattern);
    if (match) return [finding('impersonation', 'claims a role', match[0].trim(), folded.clean)];
  }
  const channel = context.channel?.replace(/^#/, '').toLowerCase();
  if (channel && channel.length >= 3) {
    const match = matchFolded(folded, speaksAs(channel));
    if (match) return [finding('impersonation', 'speaks as the streamer', match[0].trim(), folded.clean)];
  }
  return [];
};

// ---------------------------------------------------------------- chat commands

const TWITCH_COMMANDS =
  'ban|unban|timeout|untimeout|mod|unmod|vip|unvip|clear|slow|slowoff|followers|followersoff|subscribers|subscribersoff|emoteonly|emoteonlyoff|uniquechat|uniquechatoff|raid|unraid|host|unhost|commercial|marker|me|w|whisper|color|delete|announce|announceblue|announcegreen|announceorange|announcepurple|block|unblock|shoutout|pin|warn|monitor|restrict|shield|shieldoff|disconnect|mods|vips';
const COMMAND = new RegExp(`(?:^|[\\s"'(\`])[/.](?:${TWITCH_COMMANDS})\\b[^\\n]{0,40}`, 'i');
const BOT_COMMAND = /^\s*![a-z0-9_]{2,30}\b/i;

const detectChatCommands: Detector = (folded) => {
  const found: Finding[] = [];
  const command = folded.clean.match(COMMAND);
  if (command) found.push(finding('chat-command', 'twitch command', command[0].trim(), folded.clean));
  const bot = folded.clean.match(BOT_COMMAND);
  if (bot) found.push(finding('chat-command', 'bot command', bot[0].trim(), folded.clean));
  const mentions = folded.clean.match(/@\w+/g) ?? [];
  if (mentions.length > 3) found.push({ check: 'chat-command', kind: 'mass mention', found: mentions.join(' ') });
  return found;
};

const DETECTORS: Readonly<Record<ReplyDetector, Detector>> = {
  leak: detectLeak,
  'personal-data': detectPersonalData,
  link: detectLinks,
  slur: detectSlurs,
  harassment: detectHarassment,
  'viewer-instructions': detectViewerInstructions,
  impersonation: detectImpersonation,
  'chat-command': detectChatCommands,
};

/** Every enabled detector over one reply; an empty list means it passed. */
export function detectReplyRisks(
  reply: string,
  context: ReplyContext = {},
  detectors: SafetySettings['detectors'] | undefined = undefined,
): SafetyFindingInput[] {
  const folded = foldText(reply);
  const enabled = (name: ReplyDetector): boolean => (detectors ? detectors[name] !== 'off' : true);
  const found: SafetyFindingInput[] = [];
  for (const [name, detect] of Object.entries(DETECTORS) as [ReplyDetector, Detector][]) {
    if (enabled(name)) found.push(...detect(folded, context));
  }
  if (enabled('link')) found.push(...detectMixedScriptLinks(reply));
  return found.slice(0, 30);
}
