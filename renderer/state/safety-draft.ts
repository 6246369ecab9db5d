/**
 * The on-air safety form (`llm.safety`) as what its inputs hold and back, validated with the same
 * SafetySettingsSchema the host parses with; errors are keyed by field (`judge.baseUrl`). A layer's
 * on/off switch is derived from its categories: a layer is on while any category in it is not `off`.
 */
import {
  DEFAULT_SAFETY_SETTINGS,
  REPLY_DETECTORS,
  REQUEST_RISKS,
  SafetySettingsSchema,
  type SafetySettings,
} from '../../pipeline/core/safety.js';

export interface SafetyDraft {
  detectors: SafetySettings['detectors'];
  requests: SafetySettings['requests'];
  judge: { mode: SafetySettings['judge']['mode']; baseUrl: string; model: string; timeoutMs: string };
}

export type SafetyDraftResult = { ok: true; value: SafetySettings } | { ok: false; errors: Record<string, string> };

export function toSafetyDraft(settings: SafetySettings): SafetyDraft {
  return {
    detectors: { ...settings.detectors },
    requests: { ...settings.requests },
    judge: { ...settings.judge, timeoutMs: String(settings.judge.timeoutMs) },
  };
}

export function detectorsOn(draft: SafetyDraft): boolean {
  return REPLY_DETECTORS.some((name) => draft.detectors[name] !== 'off');
}

export function requestsOn(draft: SafetyDraft): boolean {
  return REQUEST_RISKS.some((risk) => draft.requests[risk] !== 'off');
}

/** Turning a layer on again restores its defaults (not "everything as strict as possible"). */
export function setDetectorsLayer(draft: SafetyDraft, on: boolean): SafetyDraft {
  const detectors = on
    ? { ...DEFAULT_SAFETY_SETTINGS.detectors }
    : (Object.fromEntries(REPLY_DETECTORS.map((name) => [name, 'off'])) as SafetyDraft['detectors']);
  return { ...draft, detectors };
}

export function setRequestsLayer(draft: SafetyDraft, on: boolean): SafetyDraft {
  const requests = on
    ? { ...DEFAULT_SAFETY_SETTINGS.requests }
    : (Object.fromEntries(REQUEST_RISKS.map((risk) => [risk, 'off'])) as SafetyDraft['requests']);
  return { ...draft, requests };
}

export function fromSafetyDraft(draft: SafetyDraft): SafetyDraftResult {
  const timeout = draft.judge.timeoutMs.trim();
  const parsed = SafetySettingsSchema.safeParse({
    detectors: draft.detectors,
    requests: draft.requests,
    judge: { ...draft.judge, timeoutMs: timeout === '' ? Number.NaN : Number(timeout) },
  });
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) errors[issue.path.map(String).join('.')] ??= issue.message;
  return { ok: false, errors };
}
