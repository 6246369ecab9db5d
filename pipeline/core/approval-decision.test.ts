import { describe, expect, it } from 'vitest';
import {
  applyDecision,
  dueTimer,
  holdReason,
  rerouteEffect,
  safetyHoldOf,
  type GateContext,
  type GateInput,
  type GateOutcome,
} from './approval-decision.js';
import type { Approval, ApprovalDecision } from './approval.js';
import { MAX_REPLY_TEXT, type Candidate } from './envelope.js';
import { SafetyFindingSchema, type SafetyFindingInput, type SafetyHold } from './safety.js';

const NOW = 1_000_000;

const phoneHold: SafetyHold = {
  findings: [SafetyFindingSchema.parse({ check: 'personal-data', kind: 'phone number', found: '555-0100', at: 10 })],
};
const leakHold: SafetyHold = {
  findings: [
    SafetyFindingSchema.parse({
      check: 'leak',
      kind: 'system prompt',
      found: 'You are BitBrat, the channel bot.',
      overridable: false,
    }),
  ],
};

function candidate(id: string, overrides: Partial<Candidate> = {}): Candidate {
  return { id, text: `reply ${id}`, source: 'llm-bot', priority: 1, status: 'proposed', ...overrides };
}

function approval(overrides: Partial<Approval> = {}): Approval {
  return {
    id: 'ap-1',
    eventId: 'ev-1',
    candidateId: 'c1',
    state: 'held',
    policy: { mode: 'require', expireSeconds: 60 },
    reason: 'rule react requires approval',
    heldAt: NOW - 5_000,
    autoSendAt: null,
    expiresAt: NOW + 55_000,
    decidedBy: null,
    decidedAt: null,
    console: null,
    originalText: 'reply c1',
    finalText: null,
    note: null,
    ...overrides,
  };
}

/** Deep-frozen, so a test fails if the gate writes to its inputs instead of returning new data. */
function frozen<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) frozen(inner);
    Object.freeze(value);
  }
  return value;
}

/** Two drafts: c1 selected (held), c2 another proposal, c3 one a moderator already rejected. */
function candidates(): Candidate[] {
  return [
    candidate('c1', { status: 'selected' }),
    candidate('c2'),
    candidate('c3', { status: 'rejected', text: 'no' }),
  ];
}

function context(
  overrides: {
    candidates?: Candidate[];
    gone?: boolean;
    now?: number;
    detect?: (text: string) => SafetyFindingInput[];
  } = {},
): GateContext {
  return {
    now: overrides.now ?? NOW,
    ...(overrides.gone ? {} : { event: { candidates: frozen(overrides.candidates ?? candidates()) } }),
    detectReplyRisks: overrides.detect ?? (() => []),
  };
}

const decision = (value: ApprovalDecision, moderator = 'mod'): GateInput => ({
  kind: 'decision',
  decision: value,
  moderator,
  console: 'desk',
});

function accepted(outcome: GateOutcome) {
  if (!outcome.ok) throw new Error(`refused: ${outcome.code} ${outcome.message}`);
  return outcome;
}

describe('applyDecision: a moderator decides a held reply', () => {
  it('approve sends the selected draft and stamps who, when and from which console, on a new object', () => {
    const held = frozen(approval());
    const outcome = accepted(applyDecision(held, decision({ action: 'approve' }, 'alice'), context()));
    expect(outcome.approval).not.toBe(held);
    expect(held.state).toBe('held');
    expect(outcome.approval).toMatchObject({
      state: 'approved',
      decidedBy: 'alice',
      decidedAt: NOW,
      console: 'desk',
      finalText: 'reply c1',
      originalText: 'reply c1',
    });
    expect(outcome.effect).toEqual({ kind: 'egress', note: 'approved by alice' });
    expect(outcome.candidates).toEqual([]);
  });

  it('approve falls back to the original text when the candidate is gone from the event', () => {
    const outcome = accepted(
      applyDecision(approval({ originalText: 'kept' }), decision({ action: 'approve' }), context({ candidates: [] })),
    );
    expect(outcome.approval.finalText).toBe('kept');
  });

  it('edit sends the moderator text (cut to the reply limit) and writes it on the candidate', () => {
    const long = 'x'.repeat(MAX_REPLY_TEXT + 20);
    const outcome = accepted(applyDecision(approval(), decision({ action: 'edit', text: long }, 'bob'), context()));
    expect(outcome.approval).toMatchObject({ state: 'edited', originalText: 'reply c1', note: null });
    expect(outcome.approval.finalText).toHaveLength(MAX_REPLY_TEXT);
    expect(outcome.candidates).toEqual([{ id: 'c1', finalText: 'x'.repeat(MAX_REPLY_TEXT) }]);
    expect(outcome.effect).toEqual({ kind: 'egress', note: 'edited by bob' });
  });

  it('pick selects another proposed draft and supersedes the held one', () => {
    const outcome = accepted(applyDecision(approval(), decision({ action: 'pick', candidateId: 'c2' }), context()));
    expect(outcome.approval).toMatchObject({
      state: 'approved',
      candidateId: 'c2',
      finalText: 'reply c2',
      note: 'picked another candidate',
    });
    expect(outcome.candidates).toEqual([
      { id: 'c1', status: 'superseded' },
      { id: 'c2', status: 'selected' },
    ]);
    expect(outcome.effect).toEqual({ kind: 'egress', note: 'approved by mod' });
  });

  it('reject ends the event rejected with the note, and marks the draft rejected', () => {
    const outcome = accepted(
      applyDecision(approval(), decision({ action: 'reject', note: 'off topic' }, 'carol'), context()),
    );
    expect(outcome.approval).toMatchObject({ state: 'rejected', decidedBy: 'carol', note: 'off topic' });
    expect(outcome.effect).toEqual({ kind: 'end', disposition: 'rejected', reason: 'rejected by carol: off topic' });
    expect(outcome.candidates).toEqual([{ id: 'c1', status: 'rejected' }]);
    const plain = accepted(applyDecision(approval(), decision({ action: 'reject' }, 'carol'), context()));
    expect(plain.effect).toMatchObject({ reason: 'rejected by carol' });
    expect(plain.approval.note).toBeNull();
  });

  it('regenerate closes the approval and reruns reaction with the hint; open drafts are superseded', () => {
    const outcome = accepted(
      applyDecision(approval(), decision({ action: 'regenerate', hint: 'be brief' }, 'erin'), context()),
    );
    expect(outcome.approval).toMatchObject({ state: 'regenerating', note: 'hint: be brief', decidedBy: 'erin' });
    expect(outcome.effect).toEqual({ kind: 'rerun-reaction', hint: 'be brief', by: 'erin' });
    // The rejected draft stays rejected.
    expect(outcome.candidates).toEqual([
      { id: 'c1', status: 'superseded' },
      { id: 'c2', status: 'superseded' },
    ]);
    const noHint = accepted(applyDecision(approval(), decision({ action: 'regenerate' }), context()));
    expect(noHint.effect).toEqual({ kind: 'rerun-reaction', by: 'mod' });
    expect(noHint.approval.note).toBeNull();
  });

  it('reject while a regeneration runs stops it: the event ends rejected', () => {
    const regenerating = approval({ state: 'regenerating', decidedBy: 'erin', decidedAt: NOW - 1 });
    const outcome = accepted(applyDecision(regenerating, decision({ action: 'reject' }, 'frank'), context()));
    expect(outcome.approval).toMatchObject({
      state: 'rejected',
      decidedBy: 'frank',
      note: 'rejected while regenerating',
    });
    expect(outcome.effect).toEqual({
      kind: 'end',
      disposition: 'rejected',
      reason: 'rejected by frank while a new reply was being written',
    });
  });
});

describe('applyDecision: refusals change nothing and say why', () => {
  it('ALREADY_DECIDED: the first decision wins, and the second moderator learns who made it', () => {
    const decided = frozen(approval({ state: 'rejected', decidedBy: 'carol' }));
    expect(applyDecision(decided, decision({ action: 'approve' }, 'dave'), context())).toEqual({
      ok: false,
      code: 'ALREADY_DECIDED',
      message: 'already rejected by carol',
      approval: decided,
    });
    const expired = approval({ state: 'expired', decidedBy: null });
    expect(applyDecision(expired, decision({ action: 'edit', text: 'late' }), context())).toMatchObject({
      code: 'ALREADY_DECIDED',
      message: 'already expired by the system',
    });
  });

  it('ALREADY_DECIDED: only a reject stops a regeneration, and only while its event runs', () => {
    const regenerating = approval({ state: 'regenerating', decidedBy: 'erin' });
    for (const action of [{ action: 'approve' }, { action: 'regenerate' }] as const) {
      expect(applyDecision(regenerating, decision(action), context())).toMatchObject({ code: 'ALREADY_DECIDED' });
    }
    expect(applyDecision(regenerating, decision({ action: 'reject' }), context({ gone: true }))).toMatchObject({
      code: 'ALREADY_DECIDED',
      message: 'already regenerating by erin',
    });
  });

  it('NOT_FOUND: an open approval whose event is gone', () => {
    expect(applyDecision(approval(), decision({ action: 'approve' }), context({ gone: true }))).toEqual({
      ok: false,
      code: 'NOT_FOUND',
      message: 'the event of this reply is gone',
    });
  });

  it('INVALID pick: a candidate that is unknown or not a proposal', () => {
    for (const candidateId of ['nope', 'c3', 'c1']) {
      expect(applyDecision(approval(), decision({ action: 'pick', candidateId }), context())).toMatchObject({
        ok: false,
        code: 'INVALID',
        message: 'that candidate is not one of the proposed replies',
      });
    }
  });

  it('INVALID override: nothing was flagged, so there is nothing to override', () => {
    expect(applyDecision(approval(), decision({ action: 'override' }), context())).toMatchObject({
      code: 'INVALID',
      message: 'this reply was not held by a safety check: approve it instead',
    });
  });
});

describe('applyDecision: the safety rules of a reply the checks held', () => {
  const safetyHeld = (hold: SafetyHold = phoneHold) =>
    frozen(approval({ hold, policy: { mode: 'require', expireSeconds: 300 }, reason: 'personal-data' }));

  it('refuses approve: only "send anyway" sends it', () => {
    expect(applyDecision(safetyHeld(), decision({ action: 'approve' }), context())).toMatchObject({
      code: 'INVALID',
      message: 'held by safety checks (personal-data (phone number: 555-0100)): only "send anyway" sends it',
    });
  });

  it('override sends it, marks the approval and audits what was overridden with the moderator note', () => {
    const outcome = accepted(
      applyDecision(safetyHeld(), decision({ action: 'override', note: 'the shop number' }, 'mod'), context()),
    );
    expect(outcome.approval).toMatchObject({
      state: 'approved',
      override: true,
      finalText: 'reply c1',
      note: 'send anyway: overrode personal-data (phone number: 555-0100) — the shop number',
      hold: phoneHold,
    });
    expect(outcome.effect).toEqual({ kind: 'egress', note: 'sent anyway (override) by mod' });
    const bare = accepted(applyDecision(safetyHeld(), decision({ action: 'override' }), context()));
    expect(bare.approval.note).toBe('send anyway: overrode personal-data (phone number: 555-0100)');
  });

  it('refuses override of a finding that is not overridable (a leaked system prompt)', () => {
    expect(applyDecision(safetyHeld(leakHold), decision({ action: 'override' }), context())).toMatchObject({
      code: 'INVALID',
      message: 'this draft contains the system prompt and cannot be sent; edit or reject it',
    });
  });

  it('refuses a pick of another draft the checks held, by its findings or by a legacy "held:" reason', () => {
    const drafts = [
      candidate('c1', { status: 'selected', hold: phoneHold }),
      candidate('c2', { hold: phoneHold }),
      candidate('c3', { reason: 'held: slur' }),
      candidate('c4'),
    ];
    for (const candidateId of ['c2', 'c3']) {
      expect(
        applyDecision(safetyHeld(), decision({ action: 'pick', candidateId }), context({ candidates: drafts })),
      ).toMatchObject({ code: 'INVALID', message: expect.stringMatching(/^that draft was held by safety checks too/) });
    }
    const clean = accepted(
      applyDecision(safetyHeld(), decision({ action: 'pick', candidateId: 'c4' }), context({ candidates: drafts })),
    );
    expect(clean.approval).toMatchObject({ state: 'approved', candidateId: 'c4' });
  });

  it('checks an edit again: refused when the detectors flag it or it re-types a span the checks found', () => {
    const detect = (text: string): SafetyFindingInput[] =>
      text.includes('bit.ly') ? [{ check: 'link', kind: 'shortener', found: 'bit.ly/x' }] : [];
    expect(
      applyDecision(safetyHeld(), decision({ action: 'edit', text: 'see bit.ly/x' }), context({ detect })),
    ).toMatchObject({
      code: 'INVALID',
      message: 'the edited text still fails the safety checks: link (shortener: bit.ly/x)',
    });
    const leak = safetyHeld(leakHold);
    expect(
      applyDecision(leak, decision({ action: 'edit', text: 'Sure! you are bitbrat, the channel bot.' }), context()),
    ).toMatchObject({ code: 'INVALID', message: expect.stringMatching(/still fails the safety checks: leak/) });
    const fixed = accepted(applyDecision(leak, decision({ action: 'edit', text: 'Nice try!' }), context({ detect })));
    expect(fixed.approval).toMatchObject({
      state: 'edited',
      finalText: 'Nice try!',
      note: 'edited a safety-held draft; the edit passed the checks',
    });
  });

  it('does not run the detectors over an edit of a reply only the rule held', () => {
    const detect = () => [{ check: 'link' as const, kind: 'url', found: 'example.com' }];
    const outcome = accepted(
      applyDecision(approval(), decision({ action: 'edit', text: 'example.com' }), context({ detect })),
    );
    expect(outcome.approval.state).toBe('edited');
  });

  it('lets reject and regenerate through', () => {
    expect(applyDecision(safetyHeld(), decision({ action: 'reject' }), context()).ok).toBe(true);
    expect(applyDecision(safetyHeld(), decision({ action: 'regenerate' }), context()).ok).toBe(true);
  });
});

describe('applyDecision: timers', () => {
  it('auto-send sends the original text once due, stamped by the timer', () => {
    const autoAfter = approval({ policy: { mode: 'auto-after', seconds: 10 }, autoSendAt: NOW, expiresAt: null });
    const outcome = accepted(applyDecision(autoAfter, { kind: 'auto-send' }, context()));
    expect(outcome.approval).toMatchObject({
      state: 'approved',
      decidedBy: 'auto',
      console: 'auto-after',
      decidedAt: NOW,
      finalText: 'reply c1',
    });
    expect(outcome.effect).toEqual({ kind: 'egress', note: null });
  });

  it('auto-send is refused before it is due, without an auto-after timer, and for a safety-held reply', () => {
    const early = approval({ autoSendAt: NOW + 1, expiresAt: null });
    expect(applyDecision(early, { kind: 'auto-send' }, context())).toMatchObject({ code: 'INVALID' });
    expect(applyDecision(approval(), { kind: 'auto-send' }, context())).toMatchObject({ code: 'INVALID' });
    const held = approval({ autoSendAt: NOW, expiresAt: null, hold: phoneHold });
    expect(applyDecision(held, { kind: 'auto-send' }, context())).toMatchObject({
      code: 'INVALID',
      message: expect.stringMatching(/only "send anyway"/),
    });
    const decided = approval({ state: 'approved', decidedBy: 'mod', autoSendAt: NOW });
    expect(applyDecision(decided, { kind: 'auto-send' }, context())).toMatchObject({ code: 'ALREADY_DECIDED' });
  });

  it('expire ends the event expired once due; refused before', () => {
    const due = approval({ expiresAt: NOW });
    const outcome = accepted(applyDecision(due, { kind: 'expire' }, context()));
    expect(outcome.approval).toMatchObject({ state: 'expired', decidedBy: 'timer', console: 'expiry' });
    expect(outcome.effect).toEqual({
      kind: 'end',
      disposition: 'expired',
      reason: 'nobody approved the reply in time',
    });
    expect(applyDecision(approval({ expiresAt: NOW + 1 }), { kind: 'expire' }, context())).toMatchObject({
      code: 'INVALID',
    });
    expect(applyDecision(approval({ expiresAt: null }), { kind: 'expire' }, context())).toMatchObject({
      code: 'INVALID',
    });
  });

  it('dueTimer names the timer that is due on an open approval, auto-send first', () => {
    expect(dueTimer(approval({ expiresAt: NOW + 1 }), NOW)).toBeNull();
    expect(dueTimer(approval({ expiresAt: NOW }), NOW)).toBe('expire');
    expect(dueTimer(approval({ autoSendAt: NOW, expiresAt: NOW }), NOW)).toBe('auto-send');
    expect(dueTimer(approval({ state: 'approved', expiresAt: NOW }), NOW)).toBeNull();
  });
});

describe('applyDecision: re-route', () => {
  it('from reaction closes the approval and reruns reaction, superseding the open drafts', () => {
    const outcome = accepted(
      applyDecision(approval(), { kind: 'reroute', stage: 'reaction', hint: 'shorter', moderator: 'gil' }, context()),
    );
    expect(outcome.approval).toMatchObject({
      state: 'regenerating',
      decidedBy: 'gil',
      console: 'reroute',
      note: 're-routed from reaction with hint: shorter',
    });
    expect(outcome.effect).toEqual({ kind: 'rerun-reaction', hint: 'shorter', by: 'gil' });
    expect(outcome.candidates.map((change) => change.id)).toEqual(['c1', 'c2']);
  });

  it('from enrichment reruns the whole event; every draft not rejected is superseded', () => {
    const outcome = accepted(
      applyDecision(approval(), { kind: 'reroute', stage: 'enrichment', moderator: 'gil' }, context()),
    );
    expect(outcome.approval.note).toBe('re-routed from enrichment');
    expect(outcome.effect).toEqual({ kind: 'rerun-from-enrichment', by: 'gil' });
    const superseded = [...candidates(), candidate('c4', { status: 'superseded' })];
    expect(rerouteEffect({ kind: 'reroute', stage: 'enrichment', moderator: 'gil' }, superseded).candidates).toEqual([
      { id: 'c1', status: 'superseded' },
      { id: 'c2', status: 'superseded' },
      { id: 'c4', status: 'superseded' },
    ]);
  });

  it('is refused on an approval that was decided', () => {
    const decided = approval({ state: 'approved', decidedBy: 'mod' });
    expect(applyDecision(decided, { kind: 'reroute', stage: 'reaction', moderator: 'gil' }, context())).toMatchObject({
      code: 'ALREADY_DECIDED',
    });
  });
});

describe('safety holds are the candidate.hold field', () => {
  it('reads the findings, and words the reason from them, not from the reason text', () => {
    const draft = candidate('c1', { hold: phoneHold, reason: 'held: something else entirely' });
    expect(safetyHoldOf(draft)).toBe(phoneHold);
    expect(holdReason(draft)).toBe('personal-data (phone number: 555-0100)');
    // A hold without any reason text still holds.
    expect(safetyHoldOf(candidate('c2', { hold: phoneHold }))).toBe(phoneHold);
  });

  it('still holds a legacy candidate whose reason starts "held:" without findings (fail closed)', () => {
    const legacy = candidate('c1', { reason: 'held: profanity' });
    expect(safetyHoldOf(legacy)).toEqual({
      findings: [{ check: 'judge', kind: 'safety check', found: 'profanity', overridable: true }],
    });
    expect(holdReason(legacy)).toBe('profanity');
    expect(holdReason(candidate('c2', { reason: 'held:  ' }))).toBe('failed a safety check');
  });

  it('does not hold a candidate whose reason merely mentions a hold', () => {
    expect(safetyHoldOf(candidate('c1', { reason: 'not held: the rule said auto' }))).toBeUndefined();
    expect(safetyHoldOf(undefined)).toBeUndefined();
  });
});
