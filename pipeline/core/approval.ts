/**
 * The approval gate: held replies and moderators' decisions on them.
 *
 * A held reply moves `held → approved | edited | rejected | expired | regenerating`; the first
 * decision wins (the router applies decisions one at a time, so there is no race), and every
 * decision records who made it, when, from which console, and the original and final text.
 *
 * A reply held by the safety checks carries their findings (`hold`). Approve, pick and the
 * keyboard's approve do not send it: only `override` ("send anyway") does, and the approval records
 * `override: true` for the audit. A finding marked not overridable (a leaked system prompt) blocks
 * even that.
 */
import { z } from 'zod';
import { ApprovalPolicySchema, MAX_REPLY_TEXT } from './envelope.js';
import { SafetyHoldSchema } from './safety.js';

export const ApprovalStateSchema = z.enum(['held', 'approved', 'edited', 'rejected', 'expired', 'regenerating']);
export type ApprovalState = z.infer<typeof ApprovalStateSchema>;

export const ApprovalSchema = z.object({
  id: z.string(),
  eventId: z.string(),
  candidateId: z.string(),
  state: ApprovalStateSchema,
  policy: ApprovalPolicySchema,
  /** Why the reply is held, in words a moderator understands. */
  reason: z.string(),
  heldAt: z.number(),
  /** When `auto-after` sends it by itself. */
  autoSendAt: z.number().nullable(),
  /** When an undecided reply expires (never sent). */
  expiresAt: z.number().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.number().nullable(),
  console: z.string().nullable(),
  originalText: z.string(),
  finalText: z.string().nullable(),
  note: z.string().nullable(),
  /** The safety findings that held the reply (absent when only the rule held it). */
  hold: SafetyHoldSchema.optional(),
  /** True when a moderator sent a safety-held reply anyway. */
  override: z.boolean().optional(),
});
export type Approval = z.infer<typeof ApprovalSchema>;

/** Only `held` waits for a decision; `regenerating` closes a record whose event got a new reply. */
export function isOpen(approval: Pick<Approval, 'state'>): boolean {
  return approval.state === 'held';
}

/** A moderator's decision, as it arrives from a console (parsed at the HostApi boundary). */
export const ApprovalDecisionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('approve') }),
  z.object({ action: z.literal('edit'), text: z.string().trim().min(1).max(MAX_REPLY_TEXT) }),
  z.object({ action: z.literal('reject'), note: z.string().max(500).optional() }),
  z.object({ action: z.literal('pick'), candidateId: z.string().min(1).max(100) }),
  z.object({ action: z.literal('regenerate'), hint: z.string().max(500).optional() }),
  /** "Send anyway": the only decision that sends a reply the safety checks held. */
  z.object({ action: z.literal('override'), note: z.string().max(500).optional() }),
]);
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

export const DecisionRequestSchema = z.object({
  approvalId: z.string().min(1).max(100),
  decision: ApprovalDecisionSchema,
  /** Who decides: a moderator's name as the console knows it. */
  moderator: z.string().trim().min(1).max(60),
  /** Which console: `desktop`, or the browser console's session id. */
  console: z.string().min(1).max(60),
});
export type DecisionRequest = z.infer<typeof DecisionRequestSchema>;

/** Held by the safety checks rather than only by the rule: needs an explicit override to send. */
export function isSafetyHeld(approval: Pick<Approval, 'hold'>): boolean {
  return approval.hold !== undefined;
}

export type DecisionResult =
  | { ok: true; approval: Approval }
  | { ok: false; code: 'NOT_FOUND' | 'ALREADY_DECIDED' | 'INVALID'; message: string; approval?: Approval };
