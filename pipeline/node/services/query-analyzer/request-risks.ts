/**
 * Input-side safety: what a chat message asks the bot for — self-harm, hate, doxxing, minors,
 * scams, prompt extraction — rated before any LLM is asked.
 *
 * The message and the display name are read folded (zero-width, look-alikes, leetspeak, spaced
 * letters, base64), so "h0w d0 1 k1ll mys3lf" or an instruction hidden in a display name count.
 * Each category's action comes from the safety settings: `filter` raises the risk to `high` (the
 * default rule `filter-high-risk` ends the event), `hold` raises it to at least `medium` and the
 * llm-bot holds its draft with the reason, `off` ignores the category.
 */
import { compareRiskLevel, type Risk, type RiskLevel } from '../../../core/analysis.js';
import { REQUEST_RISKS, type RequestRisk, type RequestMode } from '../../../core/safety.js';
import { foldText } from '../../llm/safety-text.js';
import { findProfanity } from './profanity.js';

export interface RequestFinding {
  category: RequestRisk;
  reason: string;
}

const GROUPS = String.raw`(?:jews?|jewish people|muslims?|christians?|black people|blacks|white people|whites|asians?|mexicans?|latinos?|arabs?|indians?|gays?|gay people|lesbians?|trans(?:gender)? people|trans|women|girls|immigrants|refugees|disabled people|gypsies|roma)`;
const SEXUAL = String.raw`(?:sexy|hot|nudes?|naked|sexual|sex|porn|lewd|nsfw|bikini|pics|body|kiss|date|dating|seduce|turn(?:s|ed)? on)`;

const PATTERNS: ReadonlyArray<{ category: RequestRisk; pattern: RegExp; reason: string }> = [
  // self-harm
  {
    category: 'self-harm',
    pattern:
      /\b(?:how (?:do|can|should|could) i|best way to|ways to|help me|i (?:want|need|am going) to|i'?m going to|teach me to)\b[^.?!]{0,30}\b(?:kill|hurt|cut|harm|end|starve|poison|hang|unalive)\s+(?:myself|my life|it all)\b/,
    reason: 'asks about self-harm',
  },
  {
    category: 'self-harm',
    pattern:
      /\b(?:suicide|suicidal|overdose|self[- ]harm|unalive|want to die|end my life|kill myself|cutting myself)\b/,
    reason: 'talks about suicide or self-harm',
  },
  {
    category: 'self-harm',
    pattern:
      /\b(?:tell|say to|convince|encourage|make)\s+(?:@?\w+|me|him|her|them)\s+(?:to\s+)?(?:kys|kill (?:him|her|them|your)sel(?:f|ves)|end (?:it|(?:his|her|their) life)|die|jump)\b|\bkys\b/,
    reason: 'asks the bot to encourage self-harm',
  },
  // hate
  {
    category: 'hate',
    pattern: new RegExp(
      String.raw`\b(?:why|explain (?:why)?|prove|say|agree|admit|tell (?:me|chat|everyone))\b[^.?!]{0,30}\b${GROUPS}\s+(?:are|is)\s+(?:inferior|evil|subhuman|animals|stupid|dirty|criminals|worse|the problem|ruining|parasites|disgusting|a disease)\b`,
    ),
    reason: 'asks the bot to demean a group',
  },
  {
    category: 'hate',
    pattern: new RegExp(
      String.raw`\b(?:why|how) (?:are|is|do)\s+(?:all\s+)?${GROUPS}\s+(?:so\s+)?(?:inferior|evil|subhuman|stupid|dirty|criminals|worse|parasites|disgusting|lazy|greedy|violent)\b`,
    ),
    reason: 'asks the bot to demean a group',
  },
  {
    category: 'hate',
    pattern: new RegExp(
      String.raw`\b(?:racist|sexist|homophobic|transphobic|antisemitic|nazi|hateful)\s+(?:joke|rant|slur|thing|comment|take|poem)s?\b|\b(?:joke|rant|poem)s?\s+about\s+(?:how\s+)?${GROUPS}\b|\b(?:say|use|write|spell)\s+(?:the|a)\s+(?:n|f|r)[- ]?word\b|\b(?:hate|exterminate|gas|deport all)\s+(?:all\s+)?(?:the\s+)?${GROUPS}\b|\b(?:white power|heil|sieg heil|1488|14 88)\b`,
    ),
    reason: 'asks for hate speech',
  },
  // doxxing
  {
    category: 'doxxing',
    pattern:
      /\b(?:home address|real address|street address|house address|phone number|cell number|real name|full name|ip address|ip|where (?:he|she|they) (?:lives?|works?))\b[^.?!]{0,20}\b(?:of|for)\s+(?:@\w+|(?:that|this|the|our) (?:streamer|viewer|guy|girl|mod|person|user|chatter))|\bwhat(?:'s| is| are)\s+@?\w+(?:'s|s')\s+(?:home |real |street )?(?:address|phone(?: number)?|real name|ip(?: address)?|location)\b|\bwhere (?:does|do) @\w+ (?:live|work|go to school)\b|\bwhere (?:does|do) (?:the streamer|that streamer|he|she) (?:live|go to school)\b|\b(?:dox+|doxx?ing|find (?:out )?where (?:\w+ ){0,2}lives?|look up (?:\w+ ){0,2}address|leak (?:\w+ ){0,2}(?:address|info|number|nudes))\b/,
    reason: "asks for someone's personal data",
  },
  // minors
  {
    category: 'minors',
    pattern: new RegExp(
      String.raw`\b(?:1[0-7]|[5-9])\s?(?:yo|y/o|year[- ]old|years old|yr old)s?\b[^.?!]{0,40}\b${SEXUAL}\b|\b${SEXUAL}\b[^.?!]{0,40}\b(?:1[0-7]|[5-9])\s?(?:yo|y/o|year[- ]old|years old|yr old)s?\b|\b(?:child|children|kid|kids|minor|minors|underage|loli|shota|preteen|schoolgirl|middle schooler)s?\b[^.?!]{0,40}\b${SEXUAL}\b|\b${SEXUAL}\b[^.?!]{0,40}\b(?:child|children|kid|kids|minor|minors|underage|loli|shota|preteen|middle schooler)s?\b`,
    ),
    reason: 'sexual content involving minors',
  },
  {
    category: 'minors',
    pattern:
      /\b(?:how old are you|are you (?:a )?(?:minor|under ?age|under 18|in middle school|in high school))\b[^.?!]{0,40}\b(?:send|pics|snap|meet|dm|address|alone)\b|\bmeet (?:up )?with (?:kids|minors|children)\b/,
    reason: 'targets minors',
  },
  // scams
  {
    category: 'scam',
    pattern:
      /\b(?:free|claim (?:your|a|the)?)\s*(?:discord )?(?:nitro|robux|v-?bucks|skins?|gift ?cards?|crypto|bitcoin|btc|eth|steam (?:keys?|gift)|prizes?|rewards?)\b|\b(?:nitro|crypto|robux)\s+(?:drop|giveaway|airdrop)\b|\bairdrop\b/,
    reason: 'free-gift bait',
  },
  {
    category: 'scam',
    pattern:
      /\b(?:send|transfer|deposit)\s+(?:me\s+|us\s+)?(?:\w+\s+)?(?:btc|eth|crypto|bitcoin|ethereum|money|gift ?cards?|usdt|sol)\b|\bdouble your (?:crypto|money|btc|bitcoin|eth)\b|\b(?:seed phrase|recovery phrase|private key|guaranteed (?:returns?|profits?)|investment opportunity)\b|\bwallet (?:address|is)\b/,
    reason: 'asks for money or crypto',
  },
  {
    category: 'scam',
    pattern:
      /\b(?:post|share|promote|advertise|spam|paste|drop|say)\s+(?:this|my|our|the)\s+(?:link|url|site|website|discord|server|invite|code)\b|\b(?:tell|get)\s+(?:chat|everyone|viewers)\s+to\s+(?:click|visit|join|go to)\b/,
    reason: 'asks the bot to promote a link',
  },
  // prompt extraction
  {
    category: 'prompt-extraction',
    pattern:
      /\b(?:system|initial|original|hidden|secret|internal|developer|pre-?)\s?(?:prompt|instructions?|message|rules|configuration|guidelines)\b|\b(?:confidential marker|canary)\b/,
    reason: "asks for the bot's instructions",
  },
  {
    category: 'prompt-extraction',
    pattern:
      /\b(?:repeat|print|show|reveal|output|echo|copy|recite|translate|summari[sz]e|encode|spell out|write out|paste|dump|list)\b[^.?!]{0,40}\b(?:above|before this|previous (?:text|message|instructions)|everything (?:above|before)|your (?:instructions|prompt|rules|guidelines|persona)|the (?:text|words|message|lines) (?:above|before)|word for word|verbatim|in base64)\b/,
    reason: 'asks the bot to repeat its prompt',
  },
  {
    category: 'prompt-extraction',
    pattern:
      /<\/?\s*(?:chat|system|user|assistant|data|instructions?)\s*>|\[\s*\/?\s*(?:system|admin|developer|sys)\s*\]|<\|?im_(?:start|end)\|?>|\bwhat (?:were|are) you (?:told|instructed)\b|\b(?:begin|start) (?:your|the) (?:reply|response|answer) with\b/,
    reason: 'fence-breaking or fake system lines',
  },
  {
    category: 'prompt-extraction',
    pattern:
      /\b(?:you are now|from now on,? you|pretend (?:to be|you are)|act as (?:if|a|an|my)|role-?play as|let'?s play a game|stay in character|dan mode|developer mode|do anything now|jailbreak|no (?:rules|restrictions|filters))\b|\b(?:ignore|disregard|forget|override|bypass)\b[^.!?]{0,40}?\b(?:instructions?|prompts?|rules|directions|guidelines|system message|context)\b/,
    reason: 'jailbreak or role-play set-up',
  },
];

function rateText(text: string, label: string, checkSlurs: boolean): Map<RequestRisk, string> {
  const found = new Map<RequestRisk, string>();
  const folded = foldText(text);
  // Leetspeak reading only when it changes something: patterns with digits (ages, "1488") need the plain one.
  const texts = [folded.dotted, ...(folded.leet !== folded.dotted ? [folded.leet] : [])];
  const hidden = folded.decoded.map((decoded) => decoded.toLowerCase());
  for (const { category, pattern, reason } of PATTERNS) {
    if (found.has(category)) continue;
    if (texts.some((candidate) => pattern.test(candidate))) found.set(category, `${label}${reason}`);
    else if (hidden.some((candidate) => pattern.test(candidate)))
      found.set(category, `${label}${reason} (hidden in base64)`);
  }
  if (checkSlurs && !found.has('hate') && [...texts, ...hidden].some((t) => findProfanity(t).severity === 'severe'))
    found.set('hate', `${label}contains a slur`);
  return found;
}

// Display names repeat all through a stream: rate each one once. Sized for a raid's chatters (a
// cache smaller than the names in play, visited in turn, never hits); the clean names, nearly all
// of them, share one empty result, so an entry is little more than its key.
const NAME_CACHE_SIZE = 20_000;
const NOTHING_FOUND: ReadonlyMap<RequestRisk, string> = new Map();
const rated = new Map<string, ReadonlyMap<RequestRisk, string>>();

function rateDisplayName(name: string): ReadonlyMap<RequestRisk, string> {
  let found = rated.get(name);
  if (!found) {
    // Names have no spaces: "RepeatYourSystemPrompt", "ignore_previous_rules" read as words.
    const spaced = name.replace(/([\p{Ll}\d])(\p{Lu})/gu, '$1 $2').replace(/[_-]+/g, ' ');
    const risks = rateText(spaced, 'in the display name: ', true);
    found = risks.size === 0 ? NOTHING_FOUND : risks;
    if (rated.size >= NAME_CACHE_SIZE) rated.delete(rated.keys().next().value!);
    rated.set(name, found);
  }
  return found;
}

/**
 * Every category the text (and the display name) asks for, with the first reason of each. Slurs in
 * the message itself are the analyzer's toxicity already (risk `hate`, high); here only in names.
 */
export function rateRequest(input: { text: string; displayName?: string }): RequestFinding[] {
  const found = rateText(input.text, '', false);
  if (input.displayName) {
    for (const [category, reason] of rateDisplayName(input.displayName))
      if (!found.has(category)) found.set(category, reason);
  }
  return REQUEST_RISKS.filter((category) => found.has(category)).map((category) => ({
    category,
    reason: found.get(category)!,
  }));
}

/**
 * The analyzer's risk with the request risks laid over it: only ever raised, never lowered. An
 * injection the analyzer found counts as prompt extraction (the same attack seen by another pattern).
 */
export function withRequestRisks(
  risk: Risk,
  findings: readonly RequestFinding[],
  modes: Readonly<Record<RequestRisk, RequestMode>>,
): Risk {
  const all = [...findings];
  if (risk.type === 'injection' && !all.some((finding) => finding.category === 'prompt-extraction'))
    all.push({ category: 'prompt-extraction', reason: risk.reasons[0] ?? 'prompt injection' });
  const acted = all.flatMap((finding) => {
    const mode = modes[finding.category];
    return mode === 'off' ? [] : [{ ...finding, action: mode }];
  });
  if (acted.length === 0) return risk;
  const worst = acted.find((finding) => finding.action === 'filter') ?? acted[0]!;
  const level: RiskLevel = worst.action === 'filter' ? 'high' : 'medium';
  const raise = compareRiskLevel(level, risk.level) > 0;
  return {
    level: raise ? level : risk.level,
    type: raise ? worst.category : risk.type,
    reasons: [...risk.reasons, ...acted.map((finding) => `${finding.category}: ${finding.reason}`)].slice(0, 20),
    requests: acted.slice(0, 12),
  };
}
