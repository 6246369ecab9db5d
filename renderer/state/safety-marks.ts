/**
 * A held draft cut into plain and marked parts, one mark per finding that has a position in it
 * (the address, the link, the leaked sentence), for the approval view to highlight.
 */
import type { SafetyHold } from '../../pipeline/core/safety.js';

export type DraftPart = { text: string; marked: boolean };

export function markFindings(text: string, hold: SafetyHold): DraftPart[] {
  const spans = hold.findings
    .flatMap((finding) =>
      finding.at === undefined ? [] : [{ start: finding.at, end: finding.at + finding.found.length }],
    )
    .filter((span) => span.end <= text.length)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const parts: DraftPart[] = [];
  let cursor = 0;
  for (const span of spans) {
    if (span.start < cursor) continue;
    if (span.start > cursor) parts.push({ text: text.slice(cursor, span.start), marked: false });
    parts.push({ text: text.slice(span.start, span.end), marked: true });
    cursor = span.end;
  }
  if (cursor < text.length) parts.push({ text: text.slice(cursor), marked: false });
  return parts;
}
