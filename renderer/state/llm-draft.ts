/**
 * The LLM settings form as strings (what inputs hold) and back, validated with the same
 * LlmSettingsSchema the host parses with, so a value the console accepts is one the host accepts.
 * The API key is not here: it lives in the host's secret store (`apiKeyRef` only names it).
 */
import { LlmSettingsSchema, type LlmSettings, type ModelPrice } from '../../pipeline/core/llm.js';

export const LLM_NUMBER_FIELDS = [
  'temperature',
  'maxTokens',
  'timeoutMs',
  'maxRetries',
  'candidates',
  'userCooldownSeconds',
  'repliesPerMinute',
  'dailyTokenBudget',
  'dailyCostBudgetUsd',
  'memoryEntries',
  'memoryChars',
  'classifyTimeoutMs',
] as const satisfies readonly (keyof LlmSettings)[];
export type LlmNumberField = (typeof LLM_NUMBER_FIELDS)[number];

export interface PriceRow {
  model: string;
  inPerMTok: string;
  outPerMTok: string;
}

export interface LlmDraft {
  baseUrl: string;
  model: string;
  apiKeyRef: string;
  stream: boolean;
  moderationEndpoint: boolean;
  classify: boolean;
  numbers: Record<LlmNumberField, string>;
  prices: PriceRow[];
  /** The safety layers' settings, kept as they are: this form does not edit them (saving must not reset them). */
  safety?: LlmSettings['safety'];
}

export type LlmDraftResult = { ok: true; value: LlmSettings } | { ok: false; errors: Record<string, string> };

export function toLlmDraft(settings: LlmSettings): LlmDraft {
  return {
    baseUrl: settings.baseUrl,
    model: settings.model,
    apiKeyRef: settings.apiKeyRef,
    stream: settings.stream,
    moderationEndpoint: settings.moderationEndpoint,
    classify: settings.classify,
    numbers: Object.fromEntries(LLM_NUMBER_FIELDS.map((field) => [field, String(settings[field])])) as Record<
      LlmNumberField,
      string
    >,
    prices: Object.entries(settings.priceTable).map(([model, price]) => ({
      model,
      inPerMTok: String(price.inPerMTok),
      outPerMTok: String(price.outPerMTok),
    })),
    safety: settings.safety,
  };
}

/** A blank number field is an error, not zero: zero means "no budget" for several fields. */
function toNumber(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

export function fromLlmDraft(draft: LlmDraft): LlmDraftResult {
  const errors: Record<string, string> = {};
  const priceTable: Record<string, ModelPrice> = {};
  draft.prices.forEach((row, index) => {
    const model = row.model.trim();
    if (!model) {
      errors[`prices.${index}`] = 'name the model';
      return;
    }
    if (model in priceTable) errors[`prices.${index}`] = `${model} is listed twice`;
    priceTable[model] = { inPerMTok: toNumber(row.inPerMTok), outPerMTok: toNumber(row.outPerMTok) };
  });
  const candidate = {
    baseUrl: draft.baseUrl.trim(),
    model: draft.model,
    apiKeyRef: draft.apiKeyRef,
    stream: draft.stream,
    moderationEndpoint: draft.moderationEndpoint,
    classify: draft.classify,
    ...Object.fromEntries(LLM_NUMBER_FIELDS.map((field) => [field, toNumber(draft.numbers[field])])),
    priceTable,
    ...(draft.safety ? { safety: draft.safety } : {}),
  };
  const parsed = LlmSettingsSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [field, model] = issue.path.map(String);
      if (field === 'priceTable' && model !== undefined) {
        const index = draft.prices.findIndex((row) => row.model.trim() === model);
        errors[`prices.${index}`] ??= `${model}: ${issue.message}`;
      } else if (field) errors[field] ??= issue.message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, value: parsed.data };
}
