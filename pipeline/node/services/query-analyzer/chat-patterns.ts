/**
 * The word lists and patterns the analyzer matches chat against. All patterns are linear (no nested
 * quantifiers over overlapping classes), so a hostile 10,000-character message cannot stall the
 * enrichment worker.
 */

/**
 * Common Twitch global, BTTV, FFZ and 7TV emotes, as typed (emote names are case-sensitive).
 * Twitch tells us its own emotes' positions (`message.emotes`); third-party emotes arrive as plain
 * words, so this list is what recognizes them.
 */
export const KNOWN_EMOTES: ReadonlySet<string> = new Set([
  'Kappa',
  'KappaPride',
  'Keepo',
  'PogChamp',
  'LUL',
  'Kreygasm',
  'BibleThump',
  'NotLikeThis',
  'ResidentSleeper',
  'WutFace',
  'DansGame',
  'FailFish',
  'SeemsGood',
  'HeyGuys',
  'VoHiYo',
  'CoolStoryBob',
  'TriHard',
  'BabyRage',
  'SMOrc',
  'SwiftRage',
  'Jebaited',
  'CoolCat',
  'MingLee',
  'PJSalt',
  'TwitchUnity',
  'BloodTrail',
  'cmonBruh',
  '4Head',
  'EleGiggle',
  'HahaCat',
  'GlitchCat',
  'DinoDance',
  'PopCorn',
  'StinkyCheese',
  'PotFriend',
  'KomodoHype',
  'Kappu',
  'OpieOP',
  'TehePelo',
  'PunchTrees',
  'ANELE',
  'BrokeBack',
  'duDudu',
  'FrankerZ',
  'RalpherZ',
  'OSFrog',
  'KEKW',
  'OMEGALUL',
  'LULW',
  'Pog',
  'PogU',
  'Poggers',
  'POGGERS',
  'monkaS',
  'monkaW',
  'PepeHands',
  'PepeLaugh',
  'Sadge',
  'COPIUM',
  'Copium',
  'catJAM',
  'pepeD',
  'EZ',
  'Clap',
  'FeelsBadMan',
  'FeelsGoodMan',
  'FeelsStrongMan',
  'widepeepoHappy',
  'peepoHappy',
  'peepoSad',
  'Pepega',
  '5Head',
  'WeirdChamp',
  'forsenCD',
  'HYPERS',
  'Kappa123',
  'AYAYA',
  'gachiGASM',
  'NODDERS',
  'NOPERS',
  'Stare',
  'Aware',
  'Clueless',
  'ICANT',
  'Bedge',
  'o7',
  'xqcL',
]);

/** A word made only of emoji: pictographs, their modifiers, joiners and keycaps. */
export const EMOJI_WORD =
  /^(?:[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}#*0-9]|\u200d|\ufe0f|\u20e3|<3)+$/u;

/**
 * Links: a scheme, "www.", or a bare domain with a common top-level domain. Spaces around the dot
 * ("bigfollows . com") are how Twitch spam bots dodge link filters, so they count too.
 */
export const LINK =
  /\b(?:https?:\/\/[^\s]+|www\s?\.\s?[a-z0-9-]+|[a-z0-9][a-z0-9-]{1,62}\s?\.\s?(?:com|net|org|tv|gg|io|ru|xyz|me|co|ly|link|shop|store|live|info|biz|top|site|online|click|pro|fun|de|es|uk|fr|jp|cc|su)\b(?:\/[^\s]*)?)/gi;

/** Self-promotion and the classic "buy viewers" bot spam. */
export const SELF_PROMO =
  /\b(?:follow (?:me|my)|check (?:out )?my (?:channel|stream|twitch|youtube|page)|sub(?:scribe)? to (?:me|my)|my (?:channel|stream) (?:is )?(?:at|on)|(?:buy|cheap|best|get|free) (?:\w+ )?(?:viewers|followers|follows|primes|subs)(?: and \w+)*|become famous|promote your (?:channel|stream)|dogehype|streamboo|bigfollows)\b/i;

/** Attempts to steer the LLM bot. Matched on the cleaned, lower-cased text. */
export const INJECTION_PATTERNS: ReadonlyArray<{ pattern: RegExp; reason: string }> = [
  {
    pattern:
      /\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}?\b(?:instructions?|prompts?|rules|directions|guidelines|system message|context)\b/,
    reason: 'asks the bot to ignore its instructions',
  },
  {
    pattern: /(?:^|[\s[<({])(?:system|assistant|developer)\s*(?:prompt)?\s*[:\]>}]/,
    reason: 'fake "system:" or role tag',
  },
  {
    pattern: /<\|?(?:im_start|im_end|system|endoftext)\|?>|\[\/?inst\]|<<\/?sys>>|###\s*(?:instruction|system)/,
    reason: 'model control tokens',
  },
  {
    pattern: /\byou are now\b|\bfrom now on,? you\b|\bpretend (?:to be|you are)\b|\bact as (?:if|a|an|my)\b/,
    reason: 'tries to give the bot a new role',
  },
  {
    pattern:
      /\b(?:reveal|print|show|repeat|tell me|what is|what's) (?:me )?(?:your|the) (?:system )?(?:prompt|instructions)\b/,
    reason: "asks for the bot's prompt",
  },
  { pattern: /\b(?:jailbreak|dan mode|developer mode|do anything now)\b/, reason: 'known jailbreak phrase' },
  {
    pattern:
      /\bignora (?:las |todas las )?instrucciones\b|\bignoriere (?:alle |die )?(?:vorherigen |bisherigen )?(?:anweisungen|regeln)\b|игнорируй (?:все )?(?:предыдущие )?(?:инструкции|правила)|指示を無視/,
    reason: 'asks the bot to ignore its instructions',
  },
];

/** Threats and abuse aimed at a person, whatever the wording. */
export const HARASSMENT = /\b(?:kys|k y s|kill (?:yo)?urself|go die|hope you die|neck yourself|unalive yourself)\b/;
/** "you", "u", "ur", "your": profanity plus a second person is usually aimed at someone. */
export const SECOND_PERSON = /\b(?:you|u|ur|your|you're|youre|ya|yourself|streamer|mods?)\b/;

/** Greetings at the start of a message, in the languages Twitch chat uses most. */
export const GREETING =
  /^(?:hi+|hello+|hey+|heya|hiya|yo+|sup|wassup|what'?s up|howdy|greetings|good (?:morning|afternoon|evening|night)|gm|hola|buenas|buenos d[ií]as|hallo|moin|servus|guten (?:morgen|tag|abend)|bonjour|salut|ciao|ol[áa]|привет|здравствуй(?:те)?|добрый (?:день|вечер)|こんにちは|こんばんは|おはよう|안녕)(?![\p{L}\p{N}])/u;
export const GREETING_EMOTES: ReadonlySet<string> = new Set(['HeyGuys', 'VoHiYo', 'o7']);

/** Questions that do not end with "?" ("how do I join"), by their first word. */
export const QUESTION_START =
  /^(?:how|what|why|when|where|who|which|whats|is|are|can|could|does|do|did|will|would|should|anyone|any1|qu[eé]|c[oó]mo|d[oó]nde|por qu[eé]|cu[aá]ndo|wie|was|warum|wann|wo|wer|gibt es|kann|как|что|почему|когда|где|кто|зачем)(?![\p{L}\p{N}])/u;
export const QUESTION_MARK = /[?？]\s*$|[?？]/;

/** Laughter and joke markers. "www"/"草" are Japanese laughter; "jaja" Spanish; "хаха" Russian. */
export const LAUGHTER =
  /(?:^|[^\p{L}\p{N}])(?:lol+|lo+l|lmao+|lmfao|rofl|ha(?:ha)+h?|he(?:he)+|xd+|jaja(?:ja)*|jeje|kek|kekw|lul|lulw|omegalul|4head|elegiggle|草|w{3,}(?!\s?\.)|х[аa]х[аa]+|[аa]х[аa]х+|joke|pun)(?![\p{L}\p{N}])/iu;
