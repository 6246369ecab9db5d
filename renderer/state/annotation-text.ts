/**
 * One line a moderator reads at a glance for each analyzer annotation ("risk: medium (injection)"),
 * parsed with the analysis schemas; anything else (other sources, a future kind) is read out as
 * "key: value" pairs, JSON only for nested values. A score is said once, inside the words.
 */
import { AnalysisValueSchemas, type AnalysisKind } from '../../pipeline/core/analysis.js';
import type { Annotation } from '../../pipeline/core/envelope.js';

const percent = (value: number) => `${Math.round(value * 100)}%`;
const signed = (value: number) => `${value > 0 ? '+' : ''}${value.toFixed(2)}`;

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.every(([, item]) => item === null || ['string', 'number', 'boolean'].includes(typeof item))) {
      return entries.map(([key, item]) => `${key}: ${String(item)}`).join(', ');
    }
  }
  return JSON.stringify(value) ?? String(value);
}

export function describeAnnotation(annotation: Pick<Annotation, 'kind' | 'value'>): string {
  const kind = annotation.kind as AnalysisKind;
  const schema = Object.hasOwn(AnalysisValueSchemas, kind) ? AnalysisValueSchemas[kind] : undefined;
  const parsed = schema?.safeParse(annotation.value);
  if (!parsed?.success) return describeValue(annotation.value);
  const value = parsed.data as never;
  switch (kind) {
    case 'intent': {
      const intent = value as { label: string; confidence: number };
      return `${intent.label} (${percent(intent.confidence)})`;
    }
    case 'sentiment': {
      const sentiment = value as { label: string; score: number };
      return sentiment.label === 'neutral' ? 'neutral' : `${sentiment.label} (${signed(sentiment.score)})`;
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
      return `${tokens.count} ${tokens.count === 1 ? 'word' : 'words'}${tokens.removed.length > 0 ? `, cleaned: ${tokens.removed.join(', ')}` : ''}`;
    }
  }
  return describeValue(annotation.value);
}
