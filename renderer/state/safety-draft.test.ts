import { describe, expect, it } from 'vitest';
import { DEFAULT_SAFETY_SETTINGS } from '../../pipeline/core/safety.js';
import {
  detectorsOn,
  fromSafetyDraft,
  requestsOn,
  setDetectorsLayer,
  setRequestsLayer,
  toSafetyDraft,
} from './safety-draft.js';

describe('the on-air safety form', () => {
  it('round-trips the settings', () => {
    const settings = {
      ...DEFAULT_SAFETY_SETTINGS,
      detectors: { ...DEFAULT_SAFETY_SETTINGS.detectors, link: 'off' as const },
      requests: { ...DEFAULT_SAFETY_SETTINGS.requests, scam: 'filter' as const },
      judge: {
        mode: 'model' as const,
        baseUrl: 'http://127.0.0.1:11434/v1',
        model: 'llama-guard3:1b',
        timeoutMs: 4000,
      },
    };
    expect(fromSafetyDraft(toSafetyDraft(settings))).toEqual({ ok: true, value: settings });
  });

  it('switches a whole layer off, and back on to its defaults', () => {
    const off = setRequestsLayer(setDetectorsLayer(toSafetyDraft(DEFAULT_SAFETY_SETTINGS), false), false);
    expect(detectorsOn(off)).toBe(false);
    expect(requestsOn(off)).toBe(false);
    expect(Object.values(off.detectors)).toEqual(Object.values(off.detectors).map(() => 'off'));
    const on = setDetectorsLayer(off, true);
    expect(on.detectors).toEqual(DEFAULT_SAFETY_SETTINGS.detectors);
    expect(requestsOn(on)).toBe(false);
  });

  it('names each bad judge field with the schema message', () => {
    const draft = toSafetyDraft(DEFAULT_SAFETY_SETTINGS);
    draft.judge.baseUrl = 'ftp://guard';
    draft.judge.timeoutMs = '100';
    const result = fromSafetyDraft(draft);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['judge.baseUrl', 'judge.timeoutMs']);
    expect(result.errors['judge.baseUrl']).toMatch(/http/);
  });
});
