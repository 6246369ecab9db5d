/**
 * The approval gate's state table, in one place (issue 12).
 *
 * Every way a held reply changes — a moderator's decision, the auto-after timer, expiry, a
 * re-route — goes through `applyDecision`: a pure function from the approval and what happened to
 * the next approval (a new object) and what the router must do next, as data (`effect`, plus the
 * candidates' status changes). The router applies effects; it never writes an approval's fields by
 * hand. Refusals are data too (`ALREADY_DECIDED`, `INVALID`, `NOT_FOUND`), with the moderator's
 * words.
 *
 * The rules:
 * - only `held` takes a decision, and the first one wins (the router applies them one at a time);
 *   the one exception is a reject while a regeneration runs, which stops it;
 * - a reply the safety checks held (`approval.hold`) is sent only by `override`, and never when a
 *   finding is not overridable (a leaked system prompt); approve, pick of another held draft and the
 *   auto-after timer do not send it; an edit is checked again by the detectors (a moderator can fix
 *   a draft, not re-type the address it leaked);
 * - `override` is refused where nothing was flagged: approve it instead.
 *
 * The detectors run in Node, so they come in through the context.
 */
import { isOpen, isSafetyHeld, type Approval, type ApprovalDecision } from './approval.js';
import { MAX_REPLY_TEXT, type Candidate, type Disposition } from './envelope.js';
import {
  describeHold,
  HELD_REASON_PREFIX,
  isOverridable,
  SafetyFindingSchema,
  type SafetyFindingInput,
  type SafetyHold,
} from './safety.js';

/** What happened to a held reply. */
export type GateInput =
  | { kind: 'decision'; decision: ApprovalDecision; moderator: string; console: string }
  /** The auto-after timer came due. */
  | { kind: 'auto-send' }
  /** The expiry timer came due. */
  | { kind: 'expire' }
  /** A moderator sends the held event back through reaction or the whole pipeline. */
  | { kind: 'reroute'; stage: 'enrichment' | 'reaction'; hint?: string; moderator: string };

export interface GateContext {
  now: number;
  /** The approval's event while the router still routes it; absent once it ended or was pruned. */
  event?: { candidates: readonly Candidate[] };
  /** The reply detectors (they run in Node): an edit of a safety-held draft must pass them. */
  detectReplyRisks(text: string): SafetyFindingInput[];
}

/** What the router does next with the approval's event. */
export type GateEffect =
  /** Choose the egress slip; `note` goes into the event's routing decisions when set. */
  | { kind: 'egress'; note: string | null }
  | { kind: 'end'; disposition: Extract<Disposition, 'rejected' | 'expired'>; reason: string }
  /** Write a new reply: the reaction rules run again, with the moderator's hint. */
  | { kind: 'rerun-reaction'; hint?: string; by: string }
  /** Route the event again from the start (enrichment), with the moderator's hint. */
  | { kind: 'rerun-from-enrichment'; hint?: string; by: string };

/** A change to one of the event's candidates, applied by the router. */
export interface CandidateChange {
  id: string;
  status?: Candidate['status'];
  finalText?: string;
}

export type GateRefusal = 'NOT_FOUND' | 'ALREADY_DECIDED' | 'INVALID';

export type GateOutcome =
  | { ok: true; approval: Approval; effect: GateEffect; candidates: CandidateChange[] }
  /** `approval` (unchanged) is set when the approval itself is the reason. */
  | { ok: false; code: GateRefusal; message: string; approval?: Approval };

const NOTE_MAX = 500;

export function applyDecision(approval: Approval, input: GateInput, context: GateContext): GateOutcome {
  const event = context.event;
  if (input.kind === 'decision' && input.decision.action === 'reject' && approval.state === 'regenerating' && event) {
    // A moderator may stop a regeneration that is still running: the router cancels the LLM call.
    return {
      ok: true,
      approval: {
        ...approval,
        state: 'rejected',
        decidedBy: input.moderator,
        decidedAt: context.now,
        console: input.console,
        note: 'rejected while regenerating',
      },
      effect: {
        kind: 'end',
        disposition: 'rejected',
        reason: `rejected by ${input.moderator} while a new reply was being written`,
      },
      candidates: [],
    };
  }
  if (!isOpen(approval)) {
    return {
      ok: false,
      code: 'ALREADY_DECIDED',
      message: `already ${approval.state} by ${approval.decidedBy ?? 'the system'}`,
      approval,
    };
  }
  if (!event) return { ok: false, code: 'NOT_FOUND', message: 'the event of this reply is gone' };
  switch (input.kind) {
    case 'decision':
      return decide(approval, input, event.candidates, context);
    case 'auto-send':
      return autoSend(approval, context.now);
    case 'expire':
      return expire(approval, context.now);
    case 'reroute':
      return {
        ok: true,
        approval: {
          ...approval,
          state: 'regenerating',
          decidedBy: input.moderator,
          decidedAt: context.now,
          console: 'reroute',
          note: `re-routed from ${input.stage}${input.hint ? ` with hint: ${input.hint}` : ''}`,
        },
        ...rerouteEffect(input, event.candidates),
      };
  }
}

/**
 * What a re-route does to the event, with or without an open approval: from reaction the old
 * replies are superseded and a new one is written; from enrichment every reply not rejected is.
 */
export function rerouteEffect(
  input: Extract<GateInput, { kind: 'reroute' }>,
  candidates: readonly Candidate[],
): { effect: GateEffect; candidates: CandidateChange[] } {
  if (input.stage === 'reaction') {
    return {
      effect: { kind: 'rerun-reaction', ...hintOf(input.hint), by: input.moderator },
      candidates: supersede(
        candidates,
        (candidate) => candidate.status === 'selected' || candidate.status === 'proposed',
      ),
    };
  }
  return {
    effect: { kind: 'rerun-from-enrichment', ...hintOf(input.hint), by: input.moderator },
    candidates: supersede(candidates, (candidate) => candidate.status !== 'rejected'),
  };
}

/** Which timer of an open approval is due at `now`, if any (auto-send first). */
export function dueTimer(approval: Approval, now: number): 'auto-send' | 'expire' | null {
  if (!isOpen(approval)) return null;
  if (approval.autoSendAt !== null && approval.autoSendAt <= now) return 'auto-send';
  if (approval.expiresAt !== null && approval.expiresAt <= now) return 'expire';
  return null;
}

function decide(
  approval: Approval,
  input: Extract<GateInput, { kind: 'decision' }>,
  candidates: readonly Candidate[],
  context: GateContext,
): GateOutcome {
  const { decision, moderator } = input;
  const gate = checkSafetyDecision(approval, decision, candidates, context.detectReplyRisks);
  if (!gate.ok) return { ok: false, code: 'INVALID', message: gate.message, approval };
  const stamped: Approval = { ...approval, decidedBy: moderator, decidedAt: context.now, console: input.console };
  const current = candidates.find((candidate) => candidate.id === approval.candidateId);
  const currentText = current?.text ?? approval.originalText;
  const sent = (next: Approval, how: string, changes: CandidateChange[] = []): GateOutcome => ({
    ok: true,
    approval: next,
    effect: { kind: 'egress', note: `${how} by ${moderator}` },
    candidates: changes,
  });

  switch (decision.action) {
    case 'override':
      return sent(
        {
          ...stamped,
          state: 'approved',
          override: true,
          finalText: currentText,
          note: decision.note ? `${gate.note} — ${decision.note}`.slice(0, NOTE_MAX) : (gate.note ?? null),
        },
        'sent anyway (override)',
      );
    case 'approve':
      return sent({ ...stamped, state: 'approved', finalText: currentText }, 'approved');
    case 'edit': {
      const finalText = decision.text.slice(0, MAX_REPLY_TEXT);
      return sent(
        { ...stamped, state: 'edited', finalText, ...(gate.note ? { note: gate.note } : {}) },
        'edited',
        current ? [{ id: current.id, finalText }] : [],
      );
    }
    case 'pick': {
      const picked = candidates.find(
        (candidate) => candidate.id === decision.candidateId && candidate.status === 'proposed',
      );
      if (!picked)
        return { ok: false, code: 'INVALID', message: 'that candidate is not one of the proposed replies', approval };
      return sent(
        {
          ...stamped,
          state: 'approved',
          candidateId: picked.id,
          finalText: picked.text,
          note: 'picked another candidate',
        },
        'approved',
        [
          ...(current ? [{ id: current.id, status: 'superseded' as const }] : []),
          { id: picked.id, status: 'selected' },
        ],
      );
    }
    case 'reject':
      return {
        ok: true,
        approval: { ...stamped, state: 'rejected', note: decision.note ?? null },
        effect: {
          kind: 'end',
          disposition: 'rejected',
          reason: `rejected by ${moderator}${decision.note ? `: ${decision.note}` : ''}`,
        },
        candidates: current ? [{ id: current.id, status: 'rejected' }] : [],
      };
    case 'regenerate':
      return {
        ok: true,
        approval: { ...stamped, state: 'regenerating', note: decision.hint ? `hint: ${decision.hint}` : null },
        ...rerouteEffect({ kind: 'reroute', stage: 'reaction', hint: decision.hint, moderator }, candidates),
      };
  }
}

function autoSend(approval: Approval, now: number): GateOutcome {
  if (approval.autoSendAt === null || approval.autoSendAt > now)
    return { ok: false, code: 'INVALID', message: 'this reply does not send by itself yet', approval };
  // The timer is a rule's convenience, never a way round the safety checks (fail closed).
  if (isSafetyHeld(approval))
    return { ok: false, code: 'INVALID', message: 'held by safety checks: only "send anyway" sends it', approval };
  return {
    ok: true,
    approval: {
      ...approval,
      state: 'approved',
      decidedBy: 'auto',
      decidedAt: now,
      console: 'auto-after',
      finalText: approval.originalText,
    },
    effect: { kind: 'egress', note: null },
    candidates: [],
  };
}

function expire(approval: Approval, now: number): GateOutcome {
  if (approval.expiresAt === null || approval.expiresAt > now)
    return { ok: false, code: 'INVALID', message: 'this reply has not expired', approval };
  return {
    ok: true,
    approval: { ...approval, state: 'expired', decidedBy: 'timer', decidedAt: now, console: 'expiry' },
    effect: { kind: 'end', disposition: 'expired', reason: 'nobody approved the reply in time' },
    candidates: [],
  };
}

type GateCheck = { ok: true; note?: string } | { ok: false; message: string };

/** Whether a moderator's decision may go ahead on this approval, given the safety findings it carries. */
function checkSafetyDecision(
  approval: Approval,
  decision: ApprovalDecision,
  candidates: readonly Candidate[],
  detectReplyRisks: GateContext['detectReplyRisks'],
): GateCheck {
  const hold = approval.hold;
  if (decision.action === 'override') {
    if (!hold) return { ok: false, message: 'this reply was not held by a safety check: approve it instead' };
    if (!isOverridable(hold))
      return { ok: false, message: 'this draft contains the system prompt and cannot be sent; edit or reject it' };
    return { ok: true, note: `send anyway: overrode ${describeHold(hold)}`.slice(0, NOTE_MAX) };
  }
  if (!hold) return { ok: true };
  switch (decision.action) {
    case 'approve':
      return {
        ok: false,
        message: `held by safety checks (${describeHold(hold)}): only "send anyway" sends it`.slice(0, NOTE_MAX),
      };
    case 'pick': {
      const pickedHold = safetyHoldOf(candidates.find((candidate) => candidate.id === decision.candidateId));
      if (pickedHold)
        return { ok: false, message: `that draft was held by safety checks too (${describeHold(pickedHold)})` };
      return { ok: true };
    }
    case 'edit': {
      const findings = [...detectReplyRisks(decision.text)];
      // Spans the checks found in the draft (a leaked sentence, an address) must not come back by hand.
      for (const finding of hold.findings) {
        if (finding.found.length >= 6 && decision.text.toLowerCase().includes(finding.found.toLowerCase()))
          findings.push(finding);
      }
      if (findings.length > 0) {
        const described = describeHold({ findings: findings.map((finding) => SafetyFindingSchema.parse(finding)) });
        return {
          ok: false,
          message: `the edited text still fails the safety checks: ${described}`.slice(0, NOTE_MAX),
        };
      }
      return { ok: true, note: 'edited a safety-held draft; the edit passed the checks' };
    }
    default:
      return { ok: true };
  }
}

// ---------------------------------------------------------------- holds at the gate's door

/**
 * The text of a legacy hold: a candidate from before `candidate.hold` existed whose reason starts
 * "held:". Such a reason still holds (fail closed); it is the only reason the gate reads.
 */
function legacyHeldText(candidate: Candidate): string | undefined {
  if (!candidate.reason?.startsWith(HELD_REASON_PREFIX)) return undefined;
  return candidate.reason.slice(HELD_REASON_PREFIX.length).trim() || 'failed a safety check';
}

/** The findings that hold a candidate whatever the rule says; a legacy "held:" reason still holds. */
export function safetyHoldOf(candidate: Candidate | undefined): SafetyHold | undefined {
  if (!candidate) return undefined;
  if (candidate.hold) return candidate.hold;
  const found = legacyHeldText(candidate);
  if (found === undefined) return undefined;
  return { findings: [SafetyFindingSchema.parse({ check: 'judge', kind: 'safety check', found })] };
}

/** Why the checks held a candidate, in a moderator's words: from its findings, not from its reason text. */
export function holdReason(candidate: Candidate): string {
  if (candidate.hold) return describeHold(candidate.hold) || 'failed a safety check';
  return legacyHeldText(candidate) ?? 'failed a safety check';
}

function supersede(candidates: readonly Candidate[], which: (candidate: Candidate) => boolean): CandidateChange[] {
  return candidates.filter(which).map((candidate) => ({ id: candidate.id, status: 'superseded' }));
}

const hintOf = (hint: string | undefined) => (hint ? { hint } : {});
