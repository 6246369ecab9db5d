/**
 * A rule as the editor holds it (strings for what the moderator types) and its conversion back to
 * a rule, validated with the same `checkRule` the host runs before saving.
 */
import type { ApprovalPolicy } from '../../pipeline/core/envelope.js';
import { checkRule, type Rule, type RuleCheck } from '../../pipeline/core/rules.js';

export interface RuleDraft {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  priority: string;
  stage: Rule['stage'];
  when: string;
  slip: string;
  approvalMode: ApprovalPolicy['mode'];
  approvalSeconds: string;
  /** Fields the form does not edit are carried through untouched. */
  rest: Pick<Rule, 'outcome' | 'enrichments' | 'maxAttempts'>;
}

export function toDraft(rule: Rule): RuleDraft {
  const policy = rule.approval;
  return {
    id: rule.id,
    name: rule.name,
    description: rule.description,
    enabled: rule.enabled,
    priority: String(rule.priority),
    stage: rule.stage,
    when: JSON.stringify(rule.when, null, 2),
    slip: rule.slip.join(', '),
    approvalMode: policy.mode,
    approvalSeconds:
      policy.mode === 'require'
        ? String(policy.expireSeconds)
        : policy.mode === 'auto-after'
          ? String(policy.seconds)
          : '',
    rest: { outcome: rule.outcome, enrichments: rule.enrichments, maxAttempts: rule.maxAttempts },
  };
}

export function emptyDraft(): RuleDraft {
  return {
    id: '',
    name: '',
    description: '',
    enabled: true,
    priority: '0',
    stage: 'reaction',
    when: '{ "contains": [{ "var": "text" }, "hello"] }',
    slip: 'commands',
    approvalMode: 'require',
    approvalSeconds: '300',
    rest: { outcome: undefined, enrichments: {}, maxAttempts: 3 },
  };
}

export function fromDraft(draft: RuleDraft): RuleCheck {
  let when: unknown;
  try {
    when = JSON.parse(draft.when);
  } catch (error) {
    return { ok: false, error: `when: not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const seconds = Number(draft.approvalSeconds);
  const approval =
    draft.approvalMode === 'auto'
      ? { mode: 'auto' }
      : draft.approvalMode === 'require'
        ? { mode: 'require', expireSeconds: seconds }
        : { mode: 'auto-after', seconds };
  const priority = draft.priority.trim() === '' ? Number.NaN : Number(draft.priority);
  return checkRule({
    id: draft.id.trim(),
    name: draft.name,
    description: draft.description,
    enabled: draft.enabled,
    priority,
    stage: draft.stage,
    when,
    slip: draft.slip
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
    approval,
    ...(draft.rest.outcome ? { outcome: draft.rest.outcome } : {}),
    enrichments: draft.rest.enrichments,
    maxAttempts: draft.rest.maxAttempts,
  });
}
