/**
 * What the safety checks found in a held draft (issue 11): which check, what it found, and the
 * draft with those spans marked, so a moderator sees the leaked sentence, the address or the link.
 */
import type { SafetyHold } from '../../pipeline/core/safety.js';
import { markFindings } from '../state/safety-marks.js';

/** The draft with each finding that has a position marked. */
export function MarkedDraft({ text, hold }: { text: string; hold: SafetyHold }) {
  return (
    <p className="reply-text" data-testid="reply-text">
      {markFindings(text, hold).map((part, index) =>
        part.marked ? <mark key={index}>{part.text}</mark> : <span key={index}>{part.text}</span>,
      )}
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
