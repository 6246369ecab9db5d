import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../pipeline/core/rules.js';
import { emptyDraft, fromDraft, toDraft } from './rule-draft.js';

describe('the rule editor draft', () => {
  it('round-trips every default rule unchanged', () => {
    for (const rule of DEFAULT_RULES) {
      const result = fromDraft(toDraft(rule));
      expect(result).toEqual({ ok: true, rule });
    }
  });

  it('names a `when` that is not JSON', () => {
    const result = fromDraft({ ...emptyDraft(), id: 'greet', when: '{ "==": [1, ' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^when: not valid JSON/);
  });

  it('refuses a `when` that uses an unknown operation', () => {
    const result = fromDraft({ ...emptyDraft(), id: 'greet', when: '{ "noSuchOp": [1] }' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^when:/);
  });

  it('names bad fields: id, priority, approval seconds', () => {
    const result = fromDraft({ ...emptyDraft(), id: 'Bad Id', priority: 'x', approvalSeconds: '-1' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain('id');
      expect(result.error).toContain('priority');
      expect(result.error).toContain('approval');
    }
  });

  it('builds an auto-after policy from the form', () => {
    const result = fromDraft({ ...emptyDraft(), id: 'greet', approvalMode: 'auto-after', approvalSeconds: '20' });
    expect(result.ok && result.rule.approval).toEqual({ mode: 'auto-after', seconds: 20 });
  });
});
