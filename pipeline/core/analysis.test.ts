import { describe, expect, it } from 'vitest';
import { compareRiskLevel, LlmClassificationSchema, readAnalysis, riskScore } from './analysis.js';
import type { Annotation } from './envelope.js';

describe('analysis values', () => {
  it('orders risk levels and maps them to scores', () => {
    expect(compareRiskLevel('high', 'medium')).toBeGreaterThan(0);
    expect(compareRiskLevel('none', 'low')).toBeLessThan(0);
    expect([riskScore('none'), riskScore('high')]).toEqual([0, 1]);
  });

  it('reads the latest valid value of a kind and refuses malformed ones', () => {
    const annotations: Annotation[] = [
      {
        kind: 'risk',
        source: 'query-analyzer',
        value: { level: 'low', type: 'link', reasons: ['link: a.com'] },
        at: 1,
      },
      { kind: 'risk', source: 'query-analyzer.llm', value: { level: 'high', type: 'hate', reasons: [] }, at: 2 },
      { kind: 'intent', source: 'x', value: { label: 'nonsense', confidence: 2 }, at: 3 },
    ];
    expect(readAnalysis(annotations, 'risk')).toEqual({ level: 'high', type: 'hate', reasons: [] });
    expect(readAnalysis(annotations, 'intent')).toBeUndefined();
    expect(readAnalysis(annotations, 'tokens')).toBeUndefined();
  });

  it('accepts a partial LLM classification and rejects unknown labels', () => {
    expect(LlmClassificationSchema.safeParse({ intent: { label: 'joke', confidence: 0.6 } }).success).toBe(true);
    expect(LlmClassificationSchema.safeParse({ risk: { level: 'extreme', type: 'none', reasons: [] } }).success).toBe(
      false,
    );
  });
});
