/**
 * Twitch IRC tag values: IRCv3 unescaping and the composite tags (badges, badge-info, emotes).
 *
 * tmi.js's parser (`parser.msg`) leaves tag values escaped, and turns an empty value (`emotes=`) into
 * `true`. Its own `unescapeIRC` maps `\n` and `\r` to nothing, which is not what IRCv3 says, so the
 * unescaping is done here. https://ircv3.net/specs/extensions/message-tags.html#escaping-values
 */
import type { Role } from '../../../core/envelope.js';

/** The tag map as tmi.js's parser hands it over: raw strings, or `true` for an empty value. */
export type RawIrcTags = Record<string, string | true>;

const ESCAPES: Record<string, string> = { ':': ';', s: ' ', '\\': '\\', r: '\r', n: '\n' };

/** IRCv3: `\:` → `;`, `\s` → space, `\\` → `\`, `\r`, `\n`; any other escaped char stands for itself; a lone trailing `\` is dropped. */
export function unescapeTagValue(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\(.?)/gsu, (_match, next: string) => (next === '' ? '' : (ESCAPES[next] ?? next)));
}

/** Every tag unescaped; empty values become ''. */
export function unescapeTags(tags: RawIrcTags): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    if (key === '') continue;
    result[key] = value === true ? '' : unescapeTagValue(value);
  }
  return result;
}

/** `broadcaster/1,subscriber/12` → `{ broadcaster: '1', subscriber: '12' }`. Malformed items are skipped. */
export function parseBadges(value: string | undefined): Record<string, string> {
  const badges: Record<string, string> = {};
  if (!value) return badges;
  for (const item of value.split(',').slice(0, 50)) {
    const slash = item.indexOf('/');
    const name = slash === -1 ? item : item.slice(0, slash);
    const version = slash === -1 ? '' : item.slice(slash + 1);
    if (name === '' || name.length > 40) continue;
    badges[name] = version.slice(0, 40);
  }
  return badges;
}

export interface EmoteRange {
  id: string;
  start: number;
  end: number;
}

/**
 * `25:0-4,12-16/1902:6-10` → one range per occurrence, sorted by position. Twitch counts positions in
 * Unicode code points of the message text (not UTF-16 units); they are kept as Twitch sent them.
 */
export function parseEmotes(value: string | undefined, limit = 500): EmoteRange[] {
  const emotes: EmoteRange[] = [];
  if (!value) return emotes;
  for (const group of value.split('/')) {
    const colon = group.indexOf(':');
    if (colon <= 0) continue;
    const id = group.slice(0, colon).slice(0, 100);
    for (const range of group.slice(colon + 1).split(',')) {
      const match = /^(\d{1,6})-(\d{1,6})$/.exec(range);
      if (!match) continue;
      const start = Number(match[1]);
      const end = Number(match[2]);
      if (end < start) continue;
      emotes.push({ id, start, end });
      if (emotes.length >= limit) return emotes.sort((a, b) => a.start - b.start);
    }
  }
  return emotes.sort((a, b) => a.start - b.start);
}

/** Roles as this message's badges and flags say, in a fixed order. Not sticky: recomputed per message. */
export function rolesFrom(badges: Record<string, string>, tags: Record<string, string>): Role[] {
  const roles: Role[] = [];
  if ('broadcaster' in badges) roles.push('broadcaster');
  if ('moderator' in badges || tags['mod'] === '1') roles.push('moderator');
  if ('vip' in badges || tags['vip'] === '1') roles.push('vip');
  if ('subscriber' in badges || tags['subscriber'] === '1') roles.push('subscriber');
  if ('founder' in badges) roles.push('founder');
  return roles;
}

/** A non-negative integer tag, or undefined when absent or not a number. */
export function intTag(tags: Record<string, string>, key: string): number | undefined {
  const value = tags[key];
  if (value === undefined || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}
