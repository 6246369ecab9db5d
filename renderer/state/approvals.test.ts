import { describe, expect, it } from 'vitest';
import type { Approval } from '../../pipeline/core/approval.js';
import {
  applyApprovals,
  currentApprovalId,
  EMPTY_APPROVALS,
  formatCountdown,
  missingEvents,
  openCount,
  queueOrder,
  resetHeld,
} from './approvals.js';

function approval(id: string, extra: Partial<Approval> = {}): Approval {
  return {
    id,
    eventId: `event-${id}`,
    candidateId: `cand-${id}`,
    state: 'held',
    policy: { mode: 'require', expireSeconds: 300 },
    reason: 'rule llm-mentions requires approval',
    heldAt: 1_000,
    autoSendAt: null,
    expiresAt: 301_000,
    decidedBy: null,
    decidedAt: null,
    console: null,
    originalText: 'hi there',
    finalText: null,
    note: null,
    ...extra,
  };
}

describe('the approval queue', () => {
  it("shows another moderator's decision with who and when", () => {
    const held = applyApprovals(EMPTY_APPROVALS, [approval('x')]);
    const decided = applyApprovals(held, [
      approval('x', {
        state: 'approved',
        decidedBy: 'alice',
        decidedAt: 5_000,
        console: 'web-1',
        finalText: 'hi there',
      }),
    ]);
    expect(decided.byId.get('x')).toMatchObject({ state: 'approved', decidedBy: 'alice', decidedAt: 5_000 });
    expect(openCount(decided)).toBe(0);
    const { open, decided: recent } = queueOrder(decided, 6_000);
    expect(open).toEqual([]);
    expect(recent.map((a) => a.id)).toEqual(['x']);
  });

  it('never reopens a decided reply because of a late held message', () => {
    const decided = applyApprovals(EMPTY_APPROVALS, [
      approval('x', { state: 'rejected', decidedBy: 'bob', decidedAt: 9_000 }),
    ]);
    const after = applyApprovals(decided, [approval('x')]);
    expect(after.byId.get('x')?.state).toBe('rejected');
  });

  it('orders open replies by the soonest deadline', () => {
    const state = applyApprovals(EMPTY_APPROVALS, [
      approval('late', { expiresAt: 900_000 }),
      approval('auto', { expiresAt: null, autoSendAt: 50_000, policy: { mode: 'auto-after', seconds: 30 } }),
      approval('soon', { expiresAt: 100_000 }),
    ]);
    expect(queueOrder(state, 2_000).open.map((a) => a.id)).toEqual(['auto', 'soon', 'late']);
  });

  it('a regenerated reply keeps its place until the redraft replaces it there', () => {
    const first = approval('first', { expiresAt: 100_000 });
    const state = applyApprovals(EMPTY_APPROVALS, [first, approval('other', { expiresAt: 200_000 })]);
    const regenerating = applyApprovals(state, [
      { ...first, state: 'regenerating', decidedBy: 'alice', decidedAt: 5_000, note: 'hint: shorter' },
    ]);
    // Still being written: shown in its place (not under "decided"), selection stays on it.
    expect(queueOrder(regenerating, 6_000).open.map((a) => a.id)).toEqual(['first', 'other']);
    expect(queueOrder(regenerating, 6_000).decided).toEqual([]);
    expect(currentApprovalId(regenerating, 'first')).toBe('first');
    // The redraft is held later with a later expiry, yet takes the original's place; the original is gone.
    const redraft = approval('redraft', { eventId: first.eventId, heldAt: 6_000, expiresAt: 306_000 });
    const replaced = applyApprovals(regenerating, [redraft]);
    const order = queueOrder(replaced, 7_000);
    expect(order.open.map((a) => a.id)).toEqual(['redraft', 'other']);
    expect(order.decided).toEqual([]);
    expect(currentApprovalId(replaced, 'first')).toBe('redraft');
    expect(currentApprovalId(replaced, 'other')).toBe('other');
  });

  it('after a reconnect, takes the host list of held replies and keeps recent decisions', () => {
    const before = applyApprovals(EMPTY_APPROVALS, [
      approval('gone'),
      approval('done', { state: 'approved', decidedBy: 'alice', decidedAt: 10_000 }),
    ]);
    expect(missingEvents(before).sort()).toEqual(['event-done', 'event-gone']);
    const event = { id: 'event-new' } as never;
    const after = resetHeld(before, [{ approval: approval('new'), event }], 20_000);
    expect([...after.byId.keys()].sort()).toEqual(['done', 'new']);
    expect(after.events.has('event-new')).toBe(true);
  });

  it('counts down to the deadline', () => {
    expect(formatCountdown(65_000, 0)).toBe('1:05');
    expect(formatCountdown(1_000, 2_000)).toBe('due');
    expect(formatCountdown(null, 0)).toBe('no expiry');
  });
});
