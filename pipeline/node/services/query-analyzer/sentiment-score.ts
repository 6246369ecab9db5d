/**
 * Sentiment through the `sentiment` package (AFINN-165 word list, English negation handling), plus a
 * small list of Twitch emotes, chat slang and common Spanish, German, Russian and Japanese words.
 *
 * The extra words are scored here rather than passed as `extras`: sentiment 5.0.2 merges `extras`
 * into its shared English word list with `Object.assign` on every call, which would change the
 * scores of every other user of the package in this process.
 */
import Sentiment from 'sentiment';
import type { Sentiment as SentimentValue } from '../../../core/analysis.js';

const afinn = new Sentiment();

/** AFINN-style scores (-5..5) for words AFINN does not know. Keys are lower case, as sentiment tokenizes. */
const CHAT_WORDS: ReadonlyMap<string, number> = new Map(
  Object.entries({
    // Twitch, BTTV and 7TV emotes
    pogchamp: 3,
    pog: 3,
    poggers: 3,
    pogu: 3,
    kreygasm: 3,
    seemsgood: 2,
    '<3': 2,
    ez: 1,
    clap: 2,
    biblethump: -2,
    notlikethis: -2,
    residentsleeper: -3,
    wutface: -2,
    pepehands: -2,
    sadge: -2,
    dansgame: -2,
    failfish: -2,
    // Chat slang
    gg: 2,
    ggs: 2,
    ggwp: 2,
    clutch: 3,
    goated: 3,
    based: 2,
    insane: 2,
    cracked: 2,
    cringe: -2,
    mid: -2,
    trash: -3,
    garbage: -3,
    laggy: -2,
    // Spanish
    genial: 3,
    increíble: 4,
    bueno: 2,
    buenísimo: 3,
    gracias: 2,
    aburrido: -3,
    malo: -3,
    horrible: -3,
    // German
    toll: 3,
    geil: 3,
    gut: 2,
    danke: 2,
    langweilig: -3,
    schlecht: -3,
    scheiße: -3,
    // Russian
    круто: 3,
    класс: 3,
    отлично: 3,
    спасибо: 2,
    скучно: -3,
    плохо: -3,
    ужасно: -3,
    // Japanese
    すごい: 3,
    最高: 4,
    ありがとう: 2,
    かわいい: 3,
    つまらない: -3,
    最悪: -4,
  }),
);

/** tanh(total / 4): one clear word ("good": 3) reads as 0.64, a pile of them approaches ±1. */
const SCALE = 4;
/** Below this magnitude the message reads as neutral. */
const NEUTRAL_BAND = 0.2;

export function scoreSentiment(text: string): SentimentValue {
  const result = afinn.analyze(text);
  let total = result.score;
  for (const token of result.tokens) {
    const extra = CHAT_WORDS.get(token);
    if (extra !== undefined) total += extra;
  }
  const score = Math.round(Math.tanh(total / SCALE) * 1000) / 1000;
  const label = score >= NEUTRAL_BAND ? 'positive' : score <= -NEUTRAL_BAND ? 'negative' : 'neutral';
  return { score, label };
}
