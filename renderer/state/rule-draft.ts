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

/** The common cases of a rule's `when`, as the form offers them; JsonLogic stays there for the rest. */
export interface CommonCondition {
  /** An event type, or '' for any. */
  type: string;
  textMatch: 'any' | 'contains' | 'startsWith';
  text: string;
  /** A role the sender must have, or '' for anyone. */
  role: string;
  /** `annotation.<kind>.<field>` must equal `annotationValue`, or '' for none. */
  annotation: '' | 'intent.label' | 'risk.level' | 'spam.isSpam' | 'sentiment.label';
  annotationValue: string;
}

export const EMPTY_CONDITION: CommonCondition = {
  type: '',
  textMatch: 'any',
  text: '',
  role: '',
  annotation: '',
  annotationValue: '',
};

/** The JsonLogic for a common condition: every part given must hold (`true` when none is). */
export function conditionToLogic(condition: CommonCondition): unknown {
  const parts: unknown[] = [];
  if (condition.type) parts.push({ '==': [{ var: 'type' }, condition.type] });
  // Rule facts lower-case `text`: so does the condition, or "Hello" would never match.
  const text = condition.text.trim().toLowerCase();
  if (condition.textMatch !== 'any' && text) parts.push({ [condition.textMatch]: [{ var: 'text' }, text] });
  if (condition.role) parts.push({ hasRole: [{ var: 'roles' }, condition.role] });
  if (condition.annotation) {
    const value =
      condition.annotation === 'spam.isSpam'
        ? condition.annotationValue.trim() !== 'false'
        : condition.annotationValue.trim();
    parts.push({ '==': [{ var: `annotation.${condition.annotation}` }, value] });
  }
  if (parts.length === 0) return true;
  return parts.length === 1 ? parts[0] : { and: parts };
}
