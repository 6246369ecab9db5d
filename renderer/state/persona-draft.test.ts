import { describe, expect, it } from 'vitest';
import { DEFAULT_PERSONA } from '../../pipeline/core/llm.js';
import { checkPersonaDraft, NEW_PERSONA_DRAFT, toPersonaDraft } from './persona-draft.js';

describe('the persona form', () => {
  it('round-trips a persona, one rule per line', () => {
    expect(checkPersonaDraft(toPersonaDraft(DEFAULT_PERSONA))).toEqual({ ok: true, persona: DEFAULT_PERSONA });
  });

  it('reports the schema messages per field, and bad model JSON', () => {
    const result = checkPersonaDraft({ ...NEW_PERSONA_DRAFT, id: 'Has Space', replyLength: '5', model: '{oops' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.id).toMatch(/lower-case/);
    expect(Object.keys(result.errors).sort()).toEqual(['id', 'model', 'name', 'replyLength']);
  });

  it('checks model overrides with the schema', () => {
    const result = checkPersonaDraft({ ...toPersonaDraft(DEFAULT_PERSONA), model: '{"temperature": 9}' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.model).toMatch(/^temperature:/);
  });
});
