/**
 * Text rules for what the bot sends to Twitch chat: one line, at most 500 characters per message,
 * never a chat command, and never identical to the previous message within 30 s.
 */
import { MAX_REPLY_TEXT } from '../../../core/envelope.js';

/**
 * Twitch silently drops a message identical to the sender's previous one within 30 seconds
 * ("msg_duplicate"). We append an invisible variation instead of skipping the reply: a space and
 * U+E0000 (a Unicode tag character that renders as nothing), the same trick Chatterino uses for its
 * "allow sending duplicate messages" option. Each part is split short enough that this always fits.
 */
export const DUPLICATE_VARIATION = ' \u{E0000}';
export const DUPLICATE_WINDOW_MS = 30_000;
/** Room kept in every part for the variation, so a varied part is still within Twitch's 500. */
export const SPLIT_LIMIT = MAX_REPLY_TEXT - [...DUPLICATE_VARIATION].length;

/**
 * One line of plain text: CR/LF and other control characters would end the IRC line early (and
 * could smuggle a second command), and a leading '/' or '.' would make Twitch read a chat command.
 */
export function sanitizeChatText(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point here
  const oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return /^[/.\\]/.test(oneLine) ? `\u200b${oneLine}` : oneLine;
}

/**
 * Splits `text` into parts of at most `limit` characters (Unicode code points, so an emoji or a CJK
 * character is never cut in half), at whitespace where possible; a word longer than a part is cut.
 */
export function splitForChat(text: string, limit = SPLIT_LIMIT): string[] {
  if (limit < 1) throw new RangeError('limit must be positive');
  const parts: string[] = [];
  let current: string[] = [];
  const flush = () => {
    const part = current.join('').trim();
    if (part !== '') parts.push(part);
    current = [];
  };
  for (const word of text.split(/(\s+)/u)) {
    if (word === '') continue;
    const chars = [...word];
    const isSpace = /^\s+$/u.test(word);
    if (current.length + chars.length <= limit) {
      if (!(isSpace && current.length === 0)) current.push(...chars);
      continue;
    }
    if (isSpace) {
      flush();
      continue;
    }
    flush();
    for (let start = 0; start < chars.length; start += limit) {
      const slice = chars.slice(start, start + limit);
      if (slice.length === limit) parts.push(slice.join(''));
      else current = slice;
    }
  }
  flush();
  return parts;
}

/** Remembers the last message per channel and varies a repeat so Twitch does not drop it. */
export class DuplicateGuard {
  private readonly last = new Map<string, { text: string; at: number }>();

  constructor(private readonly windowMs = DUPLICATE_WINDOW_MS) {}

  /** The text to send now on `channel` (varied when it equals the previous one within the window). */
  prepare(channel: string, text: string, now: number): { text: string; varied: boolean } {
    const previous = this.last.get(channel);
    let result = text;
    let varied = false;
    if (previous && now - previous.at < this.windowMs && previous.text === text) {
      // Alternate: a third identical reply goes out without the variation, unlike the second.
      result = text.endsWith(DUPLICATE_VARIATION)
        ? text.slice(0, -DUPLICATE_VARIATION.length)
        : text + DUPLICATE_VARIATION;
      varied = true;
    } else if (previous && now - previous.at < this.windowMs && previous.text === text + DUPLICATE_VARIATION) {
      result = text;
    }
    this.last.set(channel, { text: result, at: now });
    return { text: result, varied };
  }
}
