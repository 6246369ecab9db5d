/**
 * The approval queue: held replies with their context and a countdown, decided from the keyboard.
 * j/k move, a approve, e edit then send (Ctrl+Enter), r reject (u undoes it for a few seconds),
 * g regenerate with a hint (the redraft replaces the item in place), 1–9 send another candidate.
 * After this console's decision the next open item (nearest expiry) is selected. The host applies
 * the first decision; when another moderator wins, the item stays in view with who and when.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { isOpen, type Approval, type ApprovalDecision } from '../../pipeline/core/approval.js';
import type { EventDetail } from '../../pipeline/core/host-api.js';
import { applyApprovals, currentApprovalId, formatCountdown, queueOrder } from '../state/approvals.js';
import { notify } from '../state/store.js';
import { RoleBadges } from '../ui/chips.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';
import { describeAnnotation } from '../state/annotation-text.js';
import { formatTime, plural } from '../ui/format.js';
import { useShortcuts } from '../ui/keys.js';
import { UserActions } from '../ui/UserActions.js';
import { MarkedDraft, SafetyFindings } from '../ui/SafetyFindings.js';
import { isOverridable } from '../../pipeline/core/safety.js';
import { useUndoWindow } from '../ui/undo-window.js';

function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

type Mode = { kind: 'idle' } | { kind: 'edit'; text: string } | { kind: 'regenerate'; hint: string };

export function ApprovalsView() {
  const { bridge, store, moderator } = useConsoleContext();
  const run = useHostAction();
  const approvals = useConsole((state) => state.approvals);
  const now = useNow();
  const { open, decided } = useMemo(() => queueOrder(approvals, now), [approvals, now]);
  const all = useMemo(() => [...open, ...decided], [open, decided]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>({ kind: 'idle' });
  // A regenerated item is replaced by its redraft: the selection follows it.
  const shownId = selectedId === null ? null : currentApprovalId(approvals, selectedId);
  const selected = all.find((approval) => approval.id === shownId) ?? open[0] ?? null;

  useEffect(() => setMode({ kind: 'idle' }), [selected?.id]);
  // Pin the item on screen: when it is decided (here or by another moderator) it stays in view,
  // showing who decided and when, instead of silently jumping to the next one.
  useEffect(() => {
    if (selectedId === null && selected) setSelectedId(selected.id);
  }, [selectedId, selected]);

  /** The open item to work on next, nearest expiry first, skipping `except` and rejects still undoable. */
  const nextOpen = (except: string): Approval | undefined =>
    queueOrder(store.getState().approvals, Date.now()).open.find(
      (approval) => approval.id !== except && isOpen(approval) && !rejects.pending.has(approval.id),
    );

  const decide = async (approval: Approval, decision: ApprovalDecision) => {
    const result = await run('Decision', () =>
      bridge.call('approvals.decide', { approvalId: approval.id, decision, moderator, console: bridge.consoleId }),
    );
    if (!result) return;
    setMode({ kind: 'idle' });
    if (result.approval) {
      const update = result.approval;
      store.setState((state) => ({ approvals: applyApprovals(state.approvals, [update]) }));
    }
    // Keep the queue flowing: after this console's decision, on to the next one (a regenerate stays put).
    if (result.ok && decision.action !== 'regenerate') {
      const next = nextOpen(approval.id);
      if (next) setSelectedId((current) => (current === null || current === approval.id ? next.id : current));
    }
    if (!result.ok) {
      const by = result.approval?.decidedBy;
      // The host may already name who decided ("already approved by X").
      const who = by && !result.message.includes(by) ? ` by ${by}` : '';
      notify(store, `${result.message}${who}`, 'error');
    }
  };

  const rejects = useUndoWindow((id) => {
    const approval = store.getState().approvals.byId.get(id);
    // Decided meanwhile (another moderator, expiry): nothing left to reject.
    if (approval && isOpen(approval)) void decide(approval, { action: 'reject' });
  });
  const reject = (approval: Approval) => {
    rejects.start(approval.id);
    setMode({ kind: 'idle' });
    const next = nextOpen(approval.id);
    if (next) setSelectedId(next.id);
  };
  const undoReject = () => {
    const id = rejects.latest;
    if (id && rejects.undo(id)) setSelectedId(id);
  };

  const move = (delta: number) => {
    if (all.length === 0) return;
    const index = selected ? all.findIndex((approval) => approval.id === selected.id) : -1;
    const next = all[Math.min(all.length - 1, Math.max(0, index + delta))];
    if (next) setSelectedId(next.id);
  };

  const actionable = selected !== null && isOpen(selected) && !rejects.pending.has(selected.id);
  useShortcuts(
    {
      j: () => move(1),
      k: () => move(-1),
      a: () => actionable && void decide(selected, { action: 'approve' }),
      r: () => actionable && reject(selected),
      u: undoReject,
      e: () => actionable && setMode({ kind: 'edit', text: selected.finalText ?? selected.originalText }),
      g: () => actionable && setMode({ kind: 'regenerate', hint: '' }),
      Escape: () => setMode({ kind: 'idle' }),
    },
    mode.kind === 'idle',
  );

  return (
    <div className="approvals">
      <aside className="queue" aria-label="Held replies">
        <h2>
          Held <span className="count">{open.length}</span>
          <QueueKeys />
        </h2>
        {rejects.latest && (
          <p className="undo-bar" role="status" data-testid="undo-reject">
            Rejecting a reply in {Math.max(0, Math.ceil(((rejects.pending.get(rejects.latest) ?? now) - now) / 1000))} s{' '}
            <button type="button" onClick={undoReject}>
              <kbd>u</kbd> Undo
            </button>
          </p>
        )}
        {open.length === 0 && <p className="muted">Nothing waits for a decision.</p>}
        <ul className="plain">
          {open.map((approval) => (
            <QueueItem
              key={approval.id}
              approval={approval}
              now={now}
              selected={approval.id === selected?.id}
              rejecting={rejects.pending.has(approval.id)}
              onSelect={() => setSelectedId(approval.id)}
            />
          ))}
        </ul>
        {decided.length > 0 && (
          <>
            <h3>Recently decided</h3>
            <ul className="plain">
              {decided.map((approval) => (
                <QueueItem
                  key={approval.id}
                  approval={approval}
                  now={now}
                  selected={approval.id === selected?.id}
                  onSelect={() => setSelectedId(approval.id)}
                />
              ))}
            </ul>
          </>
        )}
      </aside>
      {selected ? (
        <HeldContext
          key={selected.id}
          approval={selected}
          now={now}
          mode={mode}
          setMode={setMode}
          decide={(decision) => (decision.action === 'reject' ? reject(selected) : void decide(selected, decision))}
          rejecting={rejects.pending.has(selected.id)}
          undoReject={undoReject}
        />
      ) : (
        <section className="held muted">Select a held reply.</section>
      )}
    </div>
  );
}

/** The keys a keyboard-only moderator needs, leaving the view included. */
function QueueKeys() {
  const armed = useConsole((state) => state.viewKeysArmed);
  return (
    <span className="muted small queue-keys" data-testid="queue-keys">
      {armed ? (
        <span className="armed" data-testid="view-keys-armed">
          now a view number (<kbd>1</kbd>–<kbd>0</kbd>) · <kbd>Esc</kbd> stay
        </span>
      ) : (
        <>
          <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Esc</kbd> then number: other view · <kbd>?</kbd> all keys
        </>
      )}
    </span>
  );
}

function QueueItem({
  approval,
  now,
  selected,
  rejecting = false,
  onSelect,
}: {
  approval: Approval;
  now: number;
  selected: boolean;
  rejecting?: boolean;
  onSelect: () => void;
}) {
  const event = useConsole((state) => state.approvals.events.get(approval.eventId));
  const deadline = approval.autoSendAt ?? approval.expiresAt;
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    // The keyboard moves the selection: keep it on screen in a long queue.
    if (selected) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  return (
    <li>
      <button
        ref={ref}
        type="button"
        className={`queue-item${selected ? ' selected' : ''} state-${approval.state}`}
        onClick={onSelect}
        data-approval-id={approval.id}
      >
        <span className="queue-top">
          <strong>{event?.displayName ?? '…'}</strong>
          {rejecting ? (
            <span className="chip decided-rejected">rejecting…</span>
          ) : isOpen(approval) ? (
            <span className="countdown mono" title={approval.autoSendAt ? 'sends by itself in' : 'expires in'}>
              {approval.autoSendAt ? '⏵ ' : ''}
              {formatCountdown(deadline, now)}
            </span>
          ) : (
            <span className={`chip decided-${approval.state}`}>
              {approval.override ? 'sent anyway' : approval.state}
            </span>
          )}
        </span>
        {event?.text && (
          <span className="queue-message" data-testid="queue-message">
            {event.text}
          </span>
        )}
        <span className="queue-text">
          {approval.state === 'regenerating'
            ? 'Regenerating a new reply…'
            : (approval.finalText ?? approval.originalText)}
        </span>
        {!isOpen(approval) && approval.decidedBy && (
          <span className="muted small">
            {approval.decidedBy} · {formatTime(approval.decidedAt ?? 0)}
          </span>
        )}
      </button>
    </li>
  );
}

function HeldContext({
  approval,
  now,
  mode,
  setMode,
  decide,
  rejecting,
  undoReject,
}: {
  approval: Approval;
  now: number;
  mode: Mode;
  setMode: (mode: Mode) => void;
  decide: (decision: ApprovalDecision) => void;
  rejecting: boolean;
  undoReject: () => void;
}) {
  const { bridge } = useConsoleContext();
  const run = useHostAction();
  const summary = useConsole((state) => state.approvals.events.get(approval.eventId));
  const feed = useConsole((state) => state.feed);
  const [detail, setDetail] = useState<EventDetail | null>(null);
  const editRef = useRef<HTMLTextAreaElement>(null);
  const hintRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let current = true;
    void run('Loading context', () => bridge.call('events.get', { id: approval.eventId })).then((result) => {
      if (current && result) setDetail(result);
    });
    return () => {
      current = false;
    };
  }, [bridge, approval.eventId, approval.state, approval.candidateId, run]);

  useEffect(() => {
    if (mode.kind === 'edit') editRef.current?.focus();
    if (mode.kind === 'regenerate') hintRef.current?.focus();
  }, [mode.kind]);

  const login = summary?.login ?? detail?.event.identity.external.login;
  const recent = useMemo(() => {
    if (!login) return [];
    const items = [];
    for (let index = feed.ids.length - 1; index >= 0 && items.length < 6; index--) {
      const item = feed.byId.get(feed.ids[index]!);
      if (item && item.login === login && item.id !== approval.eventId && item.text) items.push(item);
    }
    return items;
  }, [feed, login, approval.eventId]);

  const open = approval.state === 'held' && !rejecting;
  const others = (detail?.event.candidates ?? []).filter((candidate) => candidate.id !== approval.candidateId);
  const viewKeysArmed = useConsole((state) => state.viewKeysArmed);
  useShortcuts(
    Object.fromEntries(
      others
        .slice(0, 9)
        .map((candidate, index) => [String(index + 1), () => decide({ action: 'pick', candidateId: candidate.id })]),
    ),
    open && mode.kind === 'idle' && !viewKeysArmed,
  );
  const user = detail?.event.identity.user;
  const deadline = approval.autoSendAt ?? approval.expiresAt;

  return (
    <section className="held" aria-label="Held reply" data-testid="held-context">
      <header className="held-head">
        <div>
          <strong>{summary?.displayName ?? detail?.event.identity.external.displayName ?? '…'}</strong>{' '}
          <RoleBadges roles={summary?.roles ?? []} />{' '}
          {user && (
            <span className="muted small">
              {plural(user.messageCount, 'message')} · first seen {formatTime(user.firstSeenAt)}
              {user.tags.length > 0 && ` · ${user.tags.join(', ')}`}
            </span>
          )}
        </div>
        {open ? (
          <span className="countdown big mono">
            {approval.autoSendAt ? 'sends in ' : 'expires in '}
            {formatCountdown(deadline, now)}
          </span>
        ) : (
          <span className={`chip decided-${approval.state}`} data-testid="decided-by">
            {approval.override ? 'sent anyway' : approval.state}
            {approval.decidedBy && ` by ${approval.decidedBy}`}
            {approval.decidedAt !== null && ` at ${formatTime(approval.decidedAt)}`}
          </span>
        )}
      </header>
      <p className="muted">Held because: {approval.reason}</p>
      {approval.hold && <SafetyFindings hold={approval.hold} />}
      {detail && (
        <div className="row-gap">
          <span className="muted small">User:</span>
          <UserActions
            user={{
              platform: detail.event.identity.external.platform,
              externalId: detail.event.identity.external.id,
              login: detail.event.identity.external.login,
            }}
          />
        </div>
      )}
      <div className="label">Viewer&apos;s message</div>
      <blockquote className="message" data-testid="viewer-message">
        {summary?.text ?? detail?.event.message?.text ?? ''}
      </blockquote>
      <div className="reply-box">
        <div className="label">
          Reply{detail?.event.routing.reaction?.persona && ` as ${detail.event.routing.reaction.persona}`}
        </div>
        {mode.kind === 'edit' ? (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              if (mode.text.trim()) decide({ action: 'edit', text: mode.text.trim() });
            }}
          >
            <textarea
              ref={editRef}
              value={mode.text}
              maxLength={500}
              rows={3}
              aria-label="Edited reply"
              onChange={(event) => setMode({ kind: 'edit', text: event.target.value })}
              onKeyDown={(event) => {
                if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
                  event.preventDefault();
                  if (mode.text.trim()) decide({ action: 'edit', text: mode.text.trim() });
                }
                if (event.key === 'Escape') setMode({ kind: 'idle' });
              }}
            />
            <div className="row-gap">
              <button type="submit" className="primary">
                Send edited (Ctrl+Enter)
              </button>
              <button type="button" onClick={() => setMode({ kind: 'idle' })}>
                Cancel (Esc)
              </button>
              <span className="muted small">{mode.text.length}/500</span>
            </div>
          </form>
        ) : approval.hold && !approval.finalText ? (
          <MarkedDraft text={approval.originalText} hold={approval.hold} />
        ) : (
          <p className="reply-text" data-testid="reply-text">
            {approval.finalText ?? approval.originalText}
          </p>
        )}
        {approval.finalText && approval.finalText !== approval.originalText && (
          <p className="muted small">Original: {approval.originalText}</p>
        )}
        {approval.note && <p className="muted small">Note: {approval.note}</p>}
      </div>
      {mode.kind === 'regenerate' && (
        <form
          className="row-gap"
          onSubmit={(event) => {
            event.preventDefault();
            decide({ action: 'regenerate', ...(mode.hint.trim() ? { hint: mode.hint.trim() } : {}) });
          }}
        >
          <input
            ref={hintRef}
            type="text"
            value={mode.hint}
            maxLength={500}
            placeholder="Hint for the new reply (optional), Enter to regenerate"
            aria-label="Regenerate hint"
            onChange={(event) => setMode({ kind: 'regenerate', hint: event.target.value })}
            onKeyDown={(event) => {
              if (event.key === 'Escape') setMode({ kind: 'idle' });
            }}
          />
          <button type="submit">Regenerate</button>
        </form>
      )}
      {open && mode.kind === 'idle' && (
        <div className="actions">
          {approval.hold ? (
            // A safety-held draft is never sent by approve: only an explicit, audited override.
            <button
              type="button"
              className="danger"
              disabled={!isOverridable(approval.hold)}
              onClick={() => decide({ action: 'override' })}
            >
              Send anyway
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => decide({ action: 'approve' })}>
              <kbd>a</kbd> Approve
            </button>
          )}
          <button
            type="button"
            onClick={() => setMode({ kind: 'edit', text: approval.finalText ?? approval.originalText })}
          >
            <kbd>e</kbd> Edit
          </button>
          <button type="button" className="danger" onClick={() => decide({ action: 'reject' })}>
            <kbd>r</kbd> Reject
          </button>
          <button type="button" onClick={() => setMode({ kind: 'regenerate', hint: '' })}>
            <kbd>g</kbd> Regenerate
          </button>
        </div>
      )}
      {approval.state === 'regenerating' && <p className="muted">Regenerating a new reply…</p>}
      {rejecting && (
        <p className="muted">
          Rejecting in a few seconds.{' '}
          <button type="button" onClick={undoReject}>
            <kbd>u</kbd> Undo
          </button>
        </p>
      )}
      {others.length > 0 && (
        <>
          <h3>Other candidates</h3>
          <ol className="plain candidates">
            {others.map((candidate, index) => (
              <li key={candidate.id} className={`candidate cand-${candidate.status}`}>
                {open && index < 9 ? (
                  <button type="button" onClick={() => decide({ action: 'pick', candidateId: candidate.id })}>
                    <kbd>{index + 1}</kbd> Send this
                  </button>
                ) : (
                  <span className="chip">{candidate.status}</span>
                )}{' '}
                {candidate.text} <span className="muted small">· {candidate.source}</span>
              </li>
            ))}
          </ol>
        </>
      )}
      {detail && detail.event.annotations.length > 0 && (
        <>
          <h3>What the analyzer saw</h3>
          <ul className="plain annotations">
            {detail.event.annotations.map((annotation, index) => (
              <li key={index}>
                <strong>{annotation.kind}</strong> {describeAnnotation(annotation)}
              </li>
            ))}
          </ul>
        </>
      )}
      {recent.length > 0 && (
        <>
          <h3>Recent messages from {login}</h3>
          <ul className="plain recent">
            {recent.map((item) => (
              <li key={item.id}>
                <span className="mono muted">{formatTime(item.at)}</span> {item.text}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
