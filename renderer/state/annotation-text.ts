/**
 * One line a moderator reads at a glance for each analyzer annotation ("risk: medium (injection)"),
 * parsed with the analysis schemas; anything else (other sources, a future kind) falls back to JSON.
 */
import { AnalysisValueSchemas, type AnalysisKind } from '../../pipeline/core/analysis.js';
import type { Annotation } from '../../pipeline/core/envelope.js';

const percent = (value: number) => `${Math.round(value * 100)}%`;

export function describeAnnotation(annotation: Pick<Annotation, 'kind' | 'value'>): string {
  const kind = annotation.kind as AnalysisKind;
  const schema = Object.hasOwn(AnalysisValueSchemas, kind) ? AnalysisValueSchemas[kind] : undefined;
  const parsed = schema?.safeParse(annotation.value);
  if (!parsed?.success) return JSON.stringify(annotation.value) ?? String(annotation.value);
  const value = parsed.data as never;
  switch (kind) {
    case 'intent': {
      const intent = value as { label: string; confidence: number };
      return `${intent.label} (${percent(intent.confidence)})`;
    }
    case 'sentiment': {
      const sentiment = value as { label: string; score: number };
      return `${sentiment.label} (${sentiment.score.toFixed(2)})`;
    }
    case 'toxicity': {
      const toxicity = value as { profane: boolean; terms: string[]; severity: string };
      return toxicity.profane ? `${toxicity.severity}: ${toxicity.terms.join(', ')}` : 'clean';
    }
    case 'spam': {
      const spam = value as { isSpam: boolean; score: number; signals: string[] };
      const signals = spam.signals.length > 0 ? ` — ${spam.signals.join(', ')}` : '';
      return `${spam.isSpam ? 'spam' : 'not spam'} (${percent(spam.score)})${signals}`;
    }
    case 'risk': {
      const risk = value as { level: string; type: string; reasons: string[] };
      if (risk.level === 'none') return 'none';
      return `${risk.level} (${risk.type})${risk.reasons.length > 0 ? ` — ${risk.reasons.join('; ')}` : ''}`;
    }
    case 'tokens': {
      const tokens = value as { count: number; removed: string[] };
      return `${tokens.count} tokens${tokens.removed.length > 0 ? `, cleaned: ${tokens.removed.join(', ')}` : ''}`;
    }
  }
  return JSON.stringify(annotation.value);
}
