/**
 * Counts the replies waiting for a moderator, from the host's `approvals` pushes (which carry
 * approvals whose state changed). Feeds the tray badge and the desktop notifications.
 */
import { isOpen, type Approval } from '../../pipeline/core/approval.js';

export class HeldReplyCounter {
  private readonly open = new Map<string, Approval>();

  /** Replaces everything with a fresh list (at start, from approvals.list). */
  reset(approvals: readonly Approval[]): void {
    this.open.clear();
    for (const approval of approvals) if (isOpen(approval)) this.open.set(approval.id, approval);
  }

  /** Applies changed approvals; returns the ones that became held by this update. */
  apply(changes: readonly Approval[]): Approval[] {
    const newlyHeld: Approval[] = [];
    for (const approval of changes) {
      if (isOpen(approval)) {
        if (!this.open.has(approval.id) && approval.state === 'held') newlyHeld.push(approval);
        this.open.set(approval.id, approval);
      } else {
        this.open.delete(approval.id);
      }
    }
    return newlyHeld;
  }

  get count(): number {
    return this.open.size;
  }
}
