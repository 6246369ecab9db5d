/**
 * Settings → LLM → On-air safety (`llm.safety`, see README "On-air safety"): each layer on or off,
 * the strictness of every reply detector and request risk, and the judge's mode, endpoint and model.
 * Saved as the `llm` setting with only `safety` changed, validated with SafetySettingsSchema.
 */
import { useMemo, useState } from 'react';
import type { LlmSettings } from '../../pipeline/core/llm.js';
import {
  DetectorModeSchema,
  JudgeModeSchema,
  REPLY_DETECTORS,
  REQUEST_RISKS,
  RequestModeSchema,
  type ReplyDetector,
  type RequestRisk,
} from '../../pipeline/core/safety.js';
import {
  detectorsOn,
  fromSafetyDraft,
  requestsOn,
  setDetectorsLayer,
  setRequestsLayer,
  toSafetyDraft,
  type SafetyDraft,
} from '../state/safety-draft.js';
import { notify } from '../state/store.js';
import { useConsoleContext, useHostAction } from '../ui/context.js';
import { Field } from '../ui/Field.js';

const DETECTOR_LABELS: Record<ReplyDetector, string> = {
  leak: 'System prompt leak',
  'personal-data': 'Personal data (addresses, phone numbers, e-mail, IPs, wallets)',
  link: 'Links in any disguise',
  slur: 'Slurs and profanity',
  harassment: 'Harassment of a named viewer',
  'viewer-instructions': 'Instructions to other viewers',
  impersonation: 'Impersonating the streamer, a moderator or staff',
  'chat-command': 'Chat commands and mass mentions',
};

const REQUEST_LABELS: Record<RequestRisk, string> = {
  'self-harm': 'Self-harm',
  hate: 'Hate',
  doxxing: 'Doxxing',
  minors: 'Minors',
  scam: 'Scams',
  'prompt-extraction': 'Prompt extraction',
};

const JUDGE_LABELS: Record<SafetyDraft['judge']['mode'], string> = {
  auto: 'auto: moderation on api.openai.com, else a model',
  moderation: 'moderation endpoint',
  model: 'a chat or guard model',
  off: 'off',
};

export function SafetySettingsSection({ llm }: { llm: LlmSettings }) {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const [draft, setDraft] = useState<SafetyDraft>(() => toSafetyDraft(llm.safety));
  const checked = useMemo(() => fromSafetyDraft(draft), [draft]);
  const dirty = !checked.ok || JSON.stringify(checked.value) !== JSON.stringify(llm.safety);
  const error = (field: string) => (checked.ok ? undefined : checked.errors[field]);
  const patchJudge = (change: Partial<SafetyDraft['judge']>) =>
    setDraft((current) => ({ ...current, judge: { ...current.judge, ...change } }));

  const save = async () => {
    if (!checked.ok) return;
    const result = await run('Saving the safety settings', () =>
      bridge.call('settings.set', { key: 'llm', value: { ...llm, safety: checked.value } }),
    );
    if (!result) return;
    if (!result.ok) return notify(store, `Not saved: ${result.error}`, 'error');
    store.setState({ settings: result.value });
    notify(store, 'Safety settings saved.');
  };

  return (
    <form
      className="panel safety-settings"
      aria-label="On-air safety"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <h3>On-air safety</h3>
      <p className="muted small">
        A draft that trips a check is held with what it found; only &quot;Send anyway&quot; sends it. Turning a layer
        off lets the bot&apos;s replies through unchecked by it.
      </p>
      <div className="safety-layers">
        <fieldset>
          <legend>
            <label className="check">
              <input
                type="checkbox"
                checked={detectorsOn(draft)}
                onChange={(event) => setDraft(setDetectorsLayer(draft, event.target.checked))}
              />{' '}
              Reply detectors
            </label>
          </legend>
          {REPLY_DETECTORS.map((name) => (
            <label key={name} className="safety-row">
              <span>{DETECTOR_LABELS[name]}</span>
              <select
                value={draft.detectors[name]}
                aria-label={`Detector ${name}`}
                onChange={(event) =>
                  setDraft({
                    ...draft,
                    detectors: { ...draft.detectors, [name]: DetectorModeSchema.parse(event.target.value) },
                  })
                }
              >
                {DetectorModeSchema.options.map((mode) => (
                  <option key={mode} value={mode}>
                    {mode}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>
            <label className="check">
              <input
                type="checkbox"
                checked={requestsOn(draft)}
                onChange={(event) => setDraft(setRequestsLayer(draft, event.target.checked))}
              />{' '}
              Request risks (what a message asks for)
            </label>
          </legend>
          {REQUEST_RISKS.map((risk) => (
            <label key={risk} className="safety-row">
              <span>{REQUEST_LABELS[risk]}</span>
              <select
                value={draft.requests[risk]}
                aria-label={`Request risk ${risk}`}
                onChange={(event) =>
                  setDraft({
                    ...draft,
                    requests: { ...draft.requests, [risk]: RequestModeSchema.parse(event.target.value) },
                  })
                }
              >
                {RequestModeSchema.options.map((mode) => (
                  <option key={mode} value={mode}>
                    {mode}
                  </option>
                ))}
              </select>
            </label>
          ))}
          <p className="muted small">filter: the message gets no reply; hold: the draft waits with the reason.</p>
        </fieldset>
        <fieldset>
          <legend>Judge (a model for what patterns cannot see)</legend>
          <div className="grid-form">
            <Field label="Judge mode" error={error('judge.mode')}>
              <select
                value={draft.judge.mode}
                onChange={(event) => patchJudge({ mode: JudgeModeSchema.parse(event.target.value) })}
              >
                {JudgeModeSchema.options.map((mode) => (
                  <option key={mode} value={mode}>
                    {JUDGE_LABELS[mode]}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Judge endpoint URL" error={error('judge.baseUrl')}>
              <input
                value={draft.judge.baseUrl}
                placeholder="empty: the chat endpoint"
                onChange={(event) => patchJudge({ baseUrl: event.target.value })}
              />
            </Field>
            <Field label="Judge model" error={error('judge.model')}>
              <input
                value={draft.judge.model}
                placeholder="empty: the chat model, e.g. llama-guard3:1b"
                onChange={(event) => patchJudge({ model: event.target.value })}
              />
            </Field>
            <Field label="Judge timeout (ms)" error={error('judge.timeoutMs')}>
              <input
                inputMode="numeric"
                value={draft.judge.timeoutMs}
                onChange={(event) => patchJudge({ timeoutMs: event.target.value })}
              />
            </Field>
          </div>
        </fieldset>
      </div>
      <div className="row-gap">
        <button type="submit" className="primary" disabled={!checked.ok || !dirty}>
          Save safety settings
        </button>
        {!checked.ok && <span className="error-text small">Fix the marked fields to save.</span>}
      </div>
    </form>
  );
}
