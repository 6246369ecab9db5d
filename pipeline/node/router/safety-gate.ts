/**
 * The approval gate's safety rules (issue 11), kept beside the router so its state machine stays
 * readable:
 * - a candidate the safety checks held is held whatever the rule says, with its findings on the
 *   approval;
 * - approve and pick do not send such a reply; only `override` ("send anyway") does, and never for
 *   a finding marked not overridable (a leaked system prompt);
 * - an edit of a held reply is checked again by the detectors: a moderator can fix a draft, not
 *   re-type the address it leaked;
 * - the bot's line becomes conversation memory only once it was delivered.
 */
import { isSafetyHeld, type Approval, type ApprovalDecision } from '../../core/approval.js';
import type { Candidate, Envelope } from '../../core/envelope.js';
import type { Settings } from '../../core/host-api.js';
import { LLM_BOT_ID, type LlmStoreWrite } from '../../core/llm.js';
import { describeHold, isOverridable, SafetyFindingSchema, type SafetyHold } from '../../core/safety.js';
import { channelMemoryKey, userMemoryKey } from '../llm/memory.js';
import { detectReplyRisks } from '../llm/safety-detectors.js';

const LEGACY_HELD_PREFIX = 'held:';

/** The findings that hold a candidate; a "held:" reason without findings still holds (fail closed). */
export function safetyHoldOf(candidate: Candidate | undefined): SafetyHold | undefined {
  if (!candidate) return undefined;
  if (candidate.hold) return candidate.hold;
  if (!candidate.reason?.startsWith(LEGACY_HELD_PREFIX)) return undefined;
  const found = candidate.reason.slice(LEGACY_HELD_PREFIX.length).trim() || 'failed a safety check';
  return { findings: [SafetyFindingSchema.parse({ check: 'judge', kind: 'safety check', found })] };
}

export type GateCheck = { ok: true; note?: string } | { ok: false; message: string };

/** Whether a decision may go ahead on this approval, given the safety findings it carries. */
export function checkSafetyDecision(
  approval: Approval,
  decision: ApprovalDecision,
  candidates: readonly Candidate[],
): GateCheck {
  const hold = approval.hold;
  if (decision.action === 'override') {
    if (!hold) return { ok: false, message: 'this reply was not held by a safety check: approve it instead' };
    if (!isOverridable(hold))
      return {
        ok: false,
        message: 'this draft contains the system prompt and cannot be sent; edit or reject it',
      };
    return { ok: true, note: `send anyway: overrode ${describeHold(hold)}`.slice(0, 500) };
  }
  if (!isSafetyHeld(approval)) return { ok: true };
  switch (decision.action) {
    case 'approve':
      return {
        ok: false,
        message: `held by safety checks (${describeHold(hold!)}): only "send anyway" sends it`.slice(0, 500),
      };
    case 'pick': {
      const picked = candidates.find((candidate) => candidate.id === decision.candidateId);
      const pickedHold = safetyHoldOf(picked);
      if (pickedHold)
        return { ok: false, message: `that draft was held by safety checks too (${describeHold(pickedHold)})` };
      return { ok: true };
    }
    case 'edit': {
      const findings = detectReplyRisks(decision.text);
      // Spans the checks found in the draft (a leaked sentence, an address) must not come back by hand.
      for (const finding of hold!.findings) {
        if (finding.found.length >= 6 && decision.text.toLowerCase().includes(finding.found.toLowerCase()))
          findings.push(finding);
      }
      if (findings.length > 0) {
        const described = describeHold({ findings: findings.map((finding) => SafetyFindingSchema.parse(finding)) });
        return { ok: false, message: `the edited text still fails the safety checks: ${described}`.slice(0, 500) };
      }
      return { ok: true, note: 'edited a safety-held draft; the edit passed the checks' };
    }
    default:
      return { ok: true };
  }
}

/**
 * The memory writes for a delivered llm-bot reply: the bot's line, under the user and the channel.
 * Called when the event ends `replied`, so drafts that were rejected, expired or regenerated never
 * shape the next prompt.
 */
export function rememberDelivered(event: Readonly<Envelope>, settings: Settings['llm'], at: number): LlmStoreWrite[] {
  const selected = event.candidates.find((candidate) => candidate.status === 'selected');
  if (!selected || selected.source !== LLM_BOT_ID) return [];
  const text = selected.finalText ?? selected.text;
  if (text.trim().length === 0 || settings.memoryEntries <= 0 || settings.memoryChars <= 0) return [];
  const external = event.identity.external;
  const bounds = { maxEntries: settings.memoryEntries, maxChars: settings.memoryChars };
  return [
    {
      op: 'memory.append',
      scope: 'user',
      scopeKey: userMemoryKey(external.platform, external.id),
      role: 'assistant',
      text,
      at,
      ...bounds,
    },
    {
      op: 'memory.append',
      scope: 'channel',
      scopeKey: channelMemoryKey(event.ingress.connector, event.ingress.channel),
      role: 'assistant',
      text,
      at,
      ...bounds,
    },
  ];
}
