/**
 * What the safety checks found in a held draft (issue 11): which check, what it found, and the
 * draft with those spans marked, so a moderator sees the leaked sentence, the address or the link.
 */
import type { SafetyHold } from '../../pipeline/core/safety.js';

/** The draft with each finding that has a position marked. */
export function MarkedDraft({ text, hold }: { text: string; hold: SafetyHold }) {
  const spans = hold.findings
    .flatMap((finding) =>
      finding.at === undefined ? [] : [{ start: finding.at, end: finding.at + finding.found.length }],
    )
    .filter((span) => span.end <= text.length)
    .sort((a, b) => a.start - b.start);
  const parts: (string | { marked: string })[] = [];
  let cursor = 0;
  for (const span of spans) {
    if (span.start < cursor) continue;
    parts.push(text.slice(cursor, span.start), { marked: text.slice(span.start, span.end) });
    cursor = span.end;
  }
  parts.push(text.slice(cursor));
  return (
    <p className="reply-text" data-testid="reply-text">
      {parts.map((part, index) => (typeof part === 'string' ? part : <mark key={index}>{part.marked}</mark>))}
    </p>
  );
}

export function SafetyFindings({ hold }: { hold: SafetyHold }) {
  return (
    <div className="safety-findings" role="alert" data-testid="safety-findings">
      <strong>Held by safety checks</strong>
      <ul className="plain">
        {hold.findings.map((finding, index) => (
          <li key={index}>
            <span className="chip">{finding.check}</span> {finding.kind}: <q>{finding.found}</q>
            {!finding.overridable && <span className="muted small"> (cannot be sent anyway)</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
