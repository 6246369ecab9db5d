/**
 * Held replies as the console shows them. The 'approvals' push carries approvals that changed
 * (any console's decision, an expiry, a regenerate); the first decision wins on the host, and every
 * console shows who decided and when as soon as the push arrives.
 */
import { isOpen, type Approval } from '../../pipeline/core/approval.js';
import type { HeldReply } from '../../pipeline/core/host-api.js';
import type { EventSummary } from '../../pipeline/core/protocol/pipeline.js';

/** Decided items stay in view this long so a moderator sees what happened to the one they were reading. */
export const DECIDED_LINGER_MS = 5 * 60_000;
const MAX_DECIDED = 50;

export interface ApprovalsState {
  readonly byId: ReadonlyMap<string, Approval>;
  /** The triggering event of each approval, by event id (from `approvals.list` or the feed). */
  readonly events: ReadonlyMap<string, EventSummary>;
}

export const EMPTY_APPROVALS: ApprovalsState = { byId: new Map(), events: new Map() };

function newer(known: Approval | undefined, next: Approval): boolean {
  if (!known) return true;
  // A decided approval never goes back to open because of a stale message.
  if (!isOpen(known) && isOpen(next)) return next.heldAt > known.heldAt;
  return (next.decidedAt ?? next.heldAt) >= (known.decidedAt ?? known.heldAt);
}

export function applyApprovals(state: ApprovalsState, batch: readonly Approval[]): ApprovalsState {
  if (batch.length === 0) return state;
  const byId = new Map(state.byId);
  let changed = false;
  for (const approval of batch) {
    if (!newer(byId.get(approval.id), approval)) continue;
    byId.set(approval.id, approval);
    changed = true;
  }
  return changed ? { byId, events: state.events } : state;
}

/** Replaces open items with the host's list (after a reconnect), keeping recently decided ones. */
export function resetHeld(state: ApprovalsState, held: readonly HeldReply[], now: number): ApprovalsState {
  const byId = new Map<string, Approval>();
  const events = new Map(state.events);
  for (const approval of state.byId.values()) {
    if (!isOpen(approval) && approval.decidedAt !== null && now - approval.decidedAt < DECIDED_LINGER_MS) {
      byId.set(approval.id, approval);
    }
  }
  for (const item of held) {
    byId.set(item.approval.id, item.approval);
    events.set(item.event.id, item.event);
  }
  return { byId, events };
}

export function rememberEvents(state: ApprovalsState, summaries: readonly EventSummary[]): ApprovalsState {
  let events: Map<string, EventSummary> | null = null;
  const wanted = new Set<string>();
  for (const approval of state.byId.values()) wanted.add(approval.eventId);
  for (const summary of summaries) {
    if (!wanted.has(summary.id)) continue;
    events ??= new Map(state.events);
    events.set(summary.id, summary);
  }
  return events ? { byId: state.byId, events } : state;
}

/** Approvals whose event summary we do not have yet (fetch them with approvals.list). */
export function missingEvents(state: ApprovalsState): string[] {
  const missing: string[] = [];
  for (const approval of state.byId.values()) if (!state.events.has(approval.eventId)) missing.push(approval.eventId);
  return missing;
}

/** The latest approval of each event: after a regenerate, the redraft replaces the original. */
function latestByEvent(state: ApprovalsState): Map<string, Approval> {
  const latest = new Map<string, Approval>();
  for (const approval of state.byId.values()) {
    const known = latest.get(approval.eventId);
    if (!known || approval.heldAt > known.heldAt) latest.set(approval.eventId, approval);
  }
  return latest;
}

/**
 * The approval a console should show for `id`: itself, or the redraft that replaced it (a
 * regenerate holds a new approval for the same event), so a selection follows the item in place.
 */
export function currentApprovalId(state: ApprovalsState, id: string): string {
  const approval = state.byId.get(id);
  if (!approval || approval.state !== 'regenerating') return id;
  return latestByEvent(state).get(approval.eventId)?.id ?? id;
}

/** A regenerate that is still being written: its event has not ended and no redraft is held yet. */
function stillRegenerating(state: ApprovalsState, approval: Approval, latest: Map<string, Approval>): boolean {
  return (
    approval.state === 'regenerating' &&
    latest.get(approval.eventId)?.id === approval.id &&
    !state.events.get(approval.eventId)?.disposition
  );
}

/**
 * The queue: open items by expiry (soonest first), then recently decided ones, newest first. A
 * redraft takes the place of the reply it replaces (the original's deadline orders it), and a reply
 * being regenerated stays in its place until the redraft arrives; the replaced one is not shown.
 */
export function queueOrder(state: ApprovalsState, now: number): { open: Approval[]; decided: Approval[] } {
  const latest = latestByEvent(state);
  const deadline = (a: Approval) => a.autoSendAt ?? a.expiresAt ?? Number.MAX_SAFE_INTEGER;
  const place = new Map<string, number>();
  for (const approval of state.byId.values()) {
    place.set(approval.eventId, Math.min(place.get(approval.eventId) ?? Number.MAX_SAFE_INTEGER, deadline(approval)));
  }
  const open: Approval[] = [];
  const decided: Approval[] = [];
  for (const approval of state.byId.values()) {
    const replaced = approval.state === 'regenerating' && latest.get(approval.eventId)?.id !== approval.id;
    if (replaced) continue;
    if (isOpen(approval) || stillRegenerating(state, approval, latest)) open.push(approval);
    else if (approval.decidedAt === null || now - approval.decidedAt < DECIDED_LINGER_MS) decided.push(approval);
  }
  open.sort((a, b) => place.get(a.eventId)! - place.get(b.eventId)! || a.heldAt - b.heldAt);
  decided.sort((a, b) => (b.decidedAt ?? 0) - (a.decidedAt ?? 0));
  return { open, decided: decided.slice(0, MAX_DECIDED) };
}

export function openCount(state: ApprovalsState): number {
  let count = 0;
  for (const approval of state.byId.values()) if (isOpen(approval)) count += 1;
  return count;
}

/** "4:05" for a countdown; "expired" once past. */
export function formatCountdown(deadline: number | null, now: number): string {
  if (deadline === null) return 'no expiry';
  const left = Math.ceil((deadline - now) / 1000);
  if (left <= 0) return 'due';
  const minutes = Math.floor(left / 60);
  const seconds = left % 60;
  return `${minutes}:${String(seconds).padStart(2, '0')}`;
}
