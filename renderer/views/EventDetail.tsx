/**
 * One event, fully: the routing slip as a timeline (earlier stages from `history`, then the
 * current slip, with every persisted transition), routing decisions, annotations, candidates,
 * approvals, deliveries and the raw platform payload. Actions: re-route (enrichment / reaction), replay,
 * and for Twitch chat messages, deleting the message on Twitch.
 */
import { useEffect, useState } from 'react';
import type { Step } from '../../pipeline/core/envelope.js';
import type { Approval } from '../../pipeline/core/approval.js';
import type { EventDetail as Detail } from '../../pipeline/core/host-api.js';
import { StateChip, RoleBadges } from '../ui/chips.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';
import { formatDateTime, formatMs, formatTime } from '../ui/format.js';
import { notify } from '../state/store.js';
import { describeAnnotation } from '../state/annotation-text.js';
import { eventHeadline } from '../../pipeline/core/event-headline.js';
// Only messages from the Twitch chat connector carry a Twitch message id.
import { TWITCH_CHAT_CONNECTOR } from '../../pipeline/core/protocol/twitch.js';

export function EventDetailPane({ eventId, onClose }: { eventId: string; onClose?: () => void }) {
  const { bridge } = useConsoleContext();
  const run = useHostAction();
  // Re-read the detail when the live feed says the event changed (a step finished, a reply was held).
  const updatedAt = useConsole((state) => state.feed.byId.get(eventId)?.updatedAt ?? 0);
  const status = useConsole((state) => state.connection.status);
  const [detail, setDetail] = useState<Detail | null | undefined>(undefined);

  useEffect(() => {
    if (status !== 'open') return;
    let current = true;
    void run('Loading the event', () => bridge.call('events.get', { id: eventId })).then((result) => {
      if (current && result !== undefined) setDetail(result);
    });
    return () => {
      current = false;
    };
  }, [bridge, eventId, updatedAt, status]);

  if (detail === undefined) return <section className="detail muted">Loading event…</section>;
  if (detail === null) return <section className="detail muted">Event {eventId} is not in the store.</section>;
  const { event } = detail;
  const headline = eventHeadline(event.type, event.details);
  return (
    <section className="detail" aria-label="Event detail" data-testid="event-detail">
      <header className="detail-head">
        <div>
          <strong>{event.identity.external.displayName}</strong> <RoleBadges roles={event.identity.external.roles} />{' '}
          <span className="muted">{event.type}</span>
        </div>
        <div className="row-gap">
          <StateChip
            item={{
              stage: event.routing.stage,
              disposition: event.disposition ?? null,
              reason: event.dispositionReason ?? null,
            }}
          />
          {onClose && (
            <button type="button" className="ghost" onClick={onClose} title="Close (Esc)">
              ✕
            </button>
          )}
        </div>
      </header>
      {headline && (
        <p className="headline" data-testid="event-headline">
          {event.identity.external.displayName} {headline}
        </p>
      )}
      {event.message && <blockquote className="message">{event.message.text}</blockquote>}
      {event.dispositionReason && <p className="muted">Why: {event.dispositionReason}</p>}
      <dl className="facts">
        <dt>At</dt>
        <dd>{formatDateTime(event.ingress.at)}</dd>
        <dt>Source</dt>
        <dd>
          {event.ingress.connector} · #{event.ingress.channel}
        </dd>
        <dt>Hops</dt>
        <dd>{event.routing.hops}</dd>
        <dt>Id</dt>
        <dd className="mono">{event.id}</dd>
      </dl>

      <h3>Routing slip</h3>
      <SlipTimeline history={event.routing.history} slip={event.routing.slip} approvals={detail.approvals} />
      {event.routing.decisions.length > 0 && (
        <>
          <h3>Routing decisions</h3>
          <ul className="plain">
            {event.routing.decisions.map((decision, index) => (
              <li key={index}>
                <span className="mono">{formatTime(decision.at)}</span> {decision.stage}: chose{' '}
                <strong>{decision.chosen ?? 'nothing'}</strong>
                {decision.matched.length > 1 && <span className="muted"> (matched {decision.matched.join(', ')})</span>}
                {decision.note && <span className="muted"> · {decision.note}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      <details>
        <summary>Transitions ({detail.transitions.length})</summary>
        <table className="table compact">
          <thead>
            <tr>
              <th>#</th>
              <th>time</th>
              <th>stage</th>
              <th>service</th>
              <th>status</th>
              <th>try</th>
              <th>took</th>
            </tr>
          </thead>
          <tbody>
            {detail.transitions.map((transition) => (
              <tr key={transition.seq}>
                <td>{transition.seq}</td>
                <td className="mono">{formatTime(transition.at)}</td>
                <td>{transition.stage}</td>
                <td>{transition.service}</td>
                <td className={`status-${transition.status}`}>{transition.status}</td>
                <td>{transition.attempt}</td>
                <td>{formatMs(transition.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>

      {event.annotations.length > 0 && (
        <>
          <h3>Annotations</h3>
          <table className="table compact">
            <tbody>
              {event.annotations.map((annotation, index) => (
                <tr key={index}>
                  <th>{annotation.kind}</th>
                  <td>{describeAnnotation(annotation)}</td>
                  <td className="muted">{annotation.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      {event.candidates.length > 0 && (
        <>
          <h3>Candidates</h3>
          <ul className="plain candidates">
            {event.candidates.map((candidate) => (
              <li key={candidate.id} className={`candidate cand-${candidate.status}`}>
                <span className="chip">{candidate.status}</span> {candidate.finalText ?? candidate.text}{' '}
                <span className="muted">
                  · {candidate.source}
                  {candidate.reason && ` · ${candidate.reason}`}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}

      {detail.approvals.length > 0 && (
        <>
          <h3>Approvals</h3>
          <ul className="plain">
            {detail.approvals.map((approval) => (
              <li key={approval.id}>
                <span className="chip">{approval.state}</span> {approval.reason}
                {approval.decidedBy && (
                  <span className="muted">
                    {' '}
                    · by {approval.decidedBy} at {formatTime(approval.decidedAt ?? 0)}
                  </span>
                )}
                {approval.override && (
                  <div className="error-text small" data-testid="override-audit">
                    Sent anyway by {approval.decidedBy ?? '?'}: {approval.note ?? 'overrode the safety findings'}
                  </div>
                )}
              </li>
            ))}
          </ul>
        </>
      )}

      {detail.deliveries.length > 0 && (
        <>
          <h3>Deliveries</h3>
          <ul className="plain">
            {detail.deliveries.map((delivery) => (
              <li key={delivery.key}>
                <span className="chip">{delivery.status}</span> {delivery.connector}: {delivery.text}
                {delivery.detail && <span className="muted"> · {delivery.detail}</span>}
              </li>
            ))}
          </ul>
        </>
      )}

      {event.errors.length > 0 && (
        <>
          <h3>Errors</h3>
          <ul className="plain">
            {event.errors.map((error, index) => (
              <li key={index} className="error-text">
                {error.source} {error.code}: {error.message}
              </li>
            ))}
          </ul>
        </>
      )}

      {event.ingress.connector === TWITCH_CHAT_CONNECTOR && event.message && (
        <DeleteMessage key={event.id} eventId={event.id} />
      )}

      <RerouteForm eventId={event.id} ended={Boolean(event.disposition)} />

      <details>
        <summary>Raw event</summary>
        <pre className="raw">{JSON.stringify(event.externalEvent ?? event, null, 2)}</pre>
      </details>
    </section>
  );
}

type TimelineRow =
  { kind: 'step'; step: Step; past: boolean; at: number } | { kind: 'gate'; approval: Approval; at: number };

/**
 * The slip as it ran, with the approval gate in its place: the gate is not a service step, so it is
 * shown from the approval records (held when, decided when and by whom), with the real time it held.
 */
function SlipTimeline({
  history,
  slip,
  approvals,
}: {
  history: readonly Step[];
  slip: readonly Step[];
  approvals: readonly Approval[];
}) {
  const rows: TimelineRow[] = [
    ...history.map((step) => ({ kind: 'step' as const, step, past: true, at: step.startedAt ?? Infinity })),
    ...slip.map((step) => ({ kind: 'step' as const, step, past: false, at: step.startedAt ?? Infinity })),
    ...approvals.map((approval) => ({ kind: 'gate' as const, approval, at: approval.heldAt })),
  ];
  // Stable: steps not started yet stay in slip order, after everything that has a time.
  rows.sort((a, b) => (a.at === b.at ? 0 : a.at < b.at ? -1 : 1));
  if (rows.length === 0) return <p className="muted">No steps yet.</p>;
  return (
    <ol className="timeline" data-testid="slip-timeline">
      {rows.map((row, index) =>
        row.kind === 'gate' ? (
          <GateRow key={`gate-${row.approval.id}`} approval={row.approval} />
        ) : (
          <li key={index} className={`step status-${row.step.status}${row.past ? ' past' : ''}`}>
            <span className="step-phase">{row.step.phase}</span>
            <span className="step-service">{row.step.id}</span>
            <span className={`chip status-${row.step.status}`}>{row.step.status}</span>
            <span className="muted">
              try {row.step.attempt}/{row.step.maxAttempts} · {formatMs(row.step.durationMs)}
            </span>
            {row.step.error && (
              <div className="error-text">
                {row.step.error.code}: {row.step.error.message}
                {row.step.error.retryable ? ' (retryable)' : ''}
              </div>
            )}
            {row.step.notes?.map((note, noteIndex) => (
              <div key={noteIndex} className="muted note">
                {note}
              </div>
            ))}
          </li>
        ),
      )}
    </ol>
  );
}

function GateRow({ approval }: { approval: Approval }) {
  const waiting = approval.decidedAt === null;
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [waiting]);
  const heldMs = (approval.decidedAt ?? now) - approval.heldAt;
  return (
    <li className={`step gate decided-${approval.state}`} data-testid="slip-gate">
      <span className="step-phase">approval</span>
      <span className="step-service">gate</span>
      <span className={`chip decided-${approval.state}`}>{approval.state}</span>
      <span className="muted">
        {waiting ? 'waiting' : 'held'} {formatMs(heldMs)}
        {approval.decidedBy && ` · by ${approval.decidedBy}`}
      </span>
      <div className="muted note">{approval.reason}</div>
    </li>
  );
}

/** Deletes the message in the Twitch chat (Helix); the host answers in words (done, or why not). */
function DeleteMessage({ eventId }: { eventId: string }) {
  const { bridge, moderator } = useConsoleContext();
  const run = useHostAction();
  const [answer, setAnswer] = useState<{ ok: boolean; message: string } | 'running' | null>(null);
  const remove = async () => {
    setAnswer('running');
    const result = await run('Deleting the message', () => bridge.call('events.deleteMessage', { eventId, moderator }));
    setAnswer(result ?? null);
  };
  return (
    <div className="row-gap delete-message">
      <button type="button" className="danger" disabled={answer === 'running'} onClick={() => void remove()}>
        Delete message on Twitch
      </button>
      {answer && answer !== 'running' && (
        <span className={answer.ok ? 'ok-text' : 'error-text'} data-testid="delete-result" role="status">
          {answer.message}
        </span>
      )}
    </div>
  );
}

function RerouteForm({ eventId, ended }: { eventId: string; ended: boolean }) {
  const { bridge, store, moderator } = useConsoleContext();
  const run = useHostAction();
  const [hint, setHint] = useState('');
  const replay = async () => {
    const result = await run('Replay', () => bridge.call('events.replay', { id: eventId }));
    if (!result) return;
    if (!result.ok) return notify(store, `Not replayed: ${result.error}`, 'error');
    notify(store, 'Replayed as a new event (its reply goes to the console, not to chat).');
    // Follow the copy: the moderator replayed it to watch what happens now.
    store.setState({ selectedEventId: result.value.id });
  };
  const reroute = async (stage: 'enrichment' | 'reaction') => {
    const result = await run('Re-route', () =>
      bridge.call('events.reroute', { eventId, stage, moderator, ...(hint.trim() ? { hint: hint.trim() } : {}) }),
    );
    if (result) notify(store, result.message, result.ok ? 'info' : 'error');
  };
  return (
    <div className="reroute">
      <h3>Re-route</h3>
      <input
        type="text"
        placeholder="Hint for the bot (optional)"
        value={hint}
        maxLength={500}
        onChange={(event) => setHint(event.target.value)}
      />
      <button type="button" onClick={() => void reroute('reaction')}>
        Run reaction again
      </button>
      <button type="button" onClick={() => void reroute('enrichment')}>
        From enrichment
      </button>
      <button
        type="button"
        disabled={!ended}
        onClick={() => void replay()}
        title={ended ? 'Run this event again as a new event' : 'Replay is for events that have ended'}
      >
        Replay
      </button>
    </div>
  );
}
