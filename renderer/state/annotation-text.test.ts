import { describe, expect, it } from 'vitest';
import { describeAnnotation } from './annotation-text.js';

describe('describeAnnotation', () => {
  it('summarizes each analyzer kind in words', () => {
    expect(describeAnnotation({ kind: 'intent', value: { label: 'question', confidence: 0.87 } })).toBe(
      'question (87%)',
    );
    expect(
      describeAnnotation({
        kind: 'risk',
        value: { level: 'medium', type: 'injection', reasons: ['asks to ignore instructions'] },
      }),
    ).toBe('medium (injection) — asks to ignore instructions');
    expect(describeAnnotation({ kind: 'risk', value: { level: 'none', type: 'none', reasons: [] } })).toBe('none');
    expect(describeAnnotation({ kind: 'spam', value: { isSpam: true, score: 0.9, signals: ['link', 'caps'] } })).toBe(
      'spam (90%) — link, caps',
    );
    expect(describeAnnotation({ kind: 'toxicity', value: { profane: false, terms: [], severity: 'none' } })).toBe(
      'clean',
    );
    expect(
      describeAnnotation({ kind: 'tokens', value: { cleanedText: 'hi', count: 2, removed: ['zero-width'] } }),
    ).toBe('2 words, cleaned: zero-width');
    expect(describeAnnotation({ kind: 'tokens', value: { cleanedText: 'hi', count: 1, removed: [] } })).toBe('1 word');
    // The score once, in the words ("positive (0.76) (0.76)" was the defect).
    expect(describeAnnotation({ kind: 'sentiment', value: { label: 'positive', score: 0.76 } })).toBe(
      'positive (+0.76)',
    );
    expect(describeAnnotation({ kind: 'sentiment', value: { label: 'neutral', score: 0 } })).toBe('neutral');
  });

  it('reads values it does not know as key: value pairs, JSON only when nested', () => {
    expect(describeAnnotation({ kind: 'persona', value: { name: 'pirate' } })).toBe('name: pirate');
    expect(describeAnnotation({ kind: 'intent', value: { label: 'world-domination' } })).toBe(
      'label: world-domination',
    );
    expect(describeAnnotation({ kind: 'custom', value: { list: [1, 2] } })).toBe('{"list":[1,2]}');
  });
});
