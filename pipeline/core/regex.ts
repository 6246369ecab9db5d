/** `text` as a regular expression that matches exactly it (names, prefixes, words put into a pattern). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
