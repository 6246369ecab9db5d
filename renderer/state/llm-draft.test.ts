import { describe, expect, it } from 'vitest';
import { DEFAULT_LLM_SETTINGS } from '../../pipeline/core/llm.js';
import { fromLlmDraft, toLlmDraft } from './llm-draft.js';

describe('the LLM settings form', () => {
  it('round-trips the settings, price table included', () => {
    const settings = {
      ...DEFAULT_LLM_SETTINGS,
      baseUrl: 'http://127.0.0.1:11434/v1',
      model: 'llama3',
      priceTable: { 'gpt-4o-mini': { inPerMTok: 0.15, outPerMTok: 0.6 } },
    };
    expect(fromLlmDraft(toLlmDraft(settings))).toEqual({ ok: true, value: settings });
  });

  it('keeps the safety settings it does not edit (saving the form must not reset them)', () => {
    const settings = {
      ...DEFAULT_LLM_SETTINGS,
      safety: {
        ...DEFAULT_LLM_SETTINGS.safety,
        judge: {
          mode: 'model' as const,
          baseUrl: 'http://127.0.0.1:11434/v1',
          model: 'llama-guard3:1b',
          timeoutMs: 4000,
        },
      },
    };
    expect(fromLlmDraft(toLlmDraft(settings))).toEqual({ ok: true, value: settings });
  });

  it('names each bad field with the schema message', () => {
    const draft = toLlmDraft(DEFAULT_LLM_SETTINGS);
    draft.baseUrl = 'ftp://nope';
    draft.numbers.temperature = '3';
    draft.numbers.maxTokens = '';
    const result = fromLlmDraft(draft);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['baseUrl', 'maxTokens', 'temperature']);
    expect(result.errors.baseUrl).toMatch(/http/);
  });

  it('points at the price row that is wrong', () => {
    const draft = toLlmDraft(DEFAULT_LLM_SETTINGS);
    draft.prices = [
      { model: 'a', inPerMTok: '1', outPerMTok: '2' },
      { model: 'b', inPerMTok: '-1', outPerMTok: '2' },
      { model: '', inPerMTok: '1', outPerMTok: '1' },
    ];
    const result = fromLlmDraft(draft);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['prices.1', 'prices.2']);
  });
});
