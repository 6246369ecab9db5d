import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, RuleBook, checkRule } from '../../pipeline/core/rules.js';
import { conditionToLogic, emptyDraft, EMPTY_CONDITION, fromDraft, toDraft } from './rule-draft.js';

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

describe('the common-condition form', () => {
  it('builds JsonLogic that the rule book matches as the form says', () => {
    const when = conditionToLogic({
      ...EMPTY_CONDITION,
      type: 'chat.message.v1',
      textMatch: 'startsWith',
      text: '!Clip',
      role: 'subscriber',
    });
    const rule = checkRule({ id: 'clips', stage: 'reaction', when });
    if (!rule.ok) throw new Error(rule.error);
    const book = new RuleBook([rule.rule]);
    const facts = (text: string, roles: string[]) => ({ type: 'chat.message.v1', text: text.toLowerCase(), roles });
    expect(book.match('reaction', facts('!clip that', ['subscriber'])).map((r) => r.id)).toEqual(['clips']);
    expect(book.match('reaction', facts('!clip that', ['viewer']))).toEqual([]);
    expect(book.match('reaction', facts('nice clip', ['subscriber']))).toEqual([]);
    expect(conditionToLogic(EMPTY_CONDITION)).toBe(true);
    expect(conditionToLogic({ ...EMPTY_CONDITION, annotation: 'intent.label', annotationValue: 'question' })).toEqual({
      '==': [{ var: 'annotation.intent.label' }, 'question'],
    });
  });
});
