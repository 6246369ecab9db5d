/**
 * Settings → LLM: endpoint, model, limits and price table (saved as one `llm` setting, validated
 * with LlmSettingsSchema), a "Test connection" button (one tiny completion on the host) and
 * today's usage. The API key is not entered here but in Connections (write-only, to the host's secret store).
 */
import { useEffect, useMemo, useState } from 'react';
import type { LlmSettings, LlmUsageToday } from '../../pipeline/core/llm.js';
import { fromLlmDraft, LLM_NUMBER_FIELDS, toLlmDraft, type LlmDraft, type LlmNumberField } from '../state/llm-draft.js';
import { notify } from '../state/store.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';
import { Field } from '../ui/Field.js';

const NUMBER_LABELS: Record<LlmNumberField, string> = {
  temperature: 'Temperature (0–2)',
  maxTokens: 'Max tokens per reply',
  timeoutMs: 'Timeout (ms)',
  maxRetries: 'Retries',
  candidates: 'Candidates per reply',
  userCooldownSeconds: 'Per-user cooldown (s)',
  repliesPerMinute: 'Replies per minute (0 = no cap)',
  dailyTokenBudget: 'Daily token budget (0 = none)',
  dailyCostBudgetUsd: 'Daily cost budget USD (0 = none)',
  memoryEntries: 'Memory entries kept',
  memoryChars: 'Memory characters kept',
  classifyTimeoutMs: 'Classification timeout (ms)',
};

export function formatUsd(value: number): string {
  return `$${value < 1 ? value.toFixed(4) : value.toFixed(2)}`;
}

export function LlmUsageLine({ usage }: { usage: LlmUsageToday | null }) {
  if (!usage) return <span className="muted">—</span>;
  return (
    <span data-testid="llm-usage">
      {(usage.tokensIn + usage.tokensOut).toLocaleString()} tokens ({usage.tokensIn.toLocaleString()} in /{' '}
      {usage.tokensOut.toLocaleString()} out) · {formatUsd(usage.costUsd)} · {usage.calls} calls
    </span>
  );
}

export function LlmSettingsSection({ settings }: { settings: LlmSettings }) {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const status = useConsole((state) => state.connection.status);
  const [draft, setDraft] = useState<LlmDraft>(() => toLlmDraft(settings));
  const [usage, setUsage] = useState<LlmUsageToday | null>(null);
  const [test, setTest] = useState<{ ok: boolean; message: string; latencyMs: number } | 'running' | null>(null);
  const checked = useMemo(() => fromLlmDraft(draft), [draft]);
  const dirty = checked.ok && JSON.stringify(checked.value) !== JSON.stringify(settings);
  const error = (field: string) => (checked.ok ? undefined : checked.errors[field]);

  useEffect(() => {
    if (status !== 'open') return;
    void run('Loading LLM usage', () => bridge.call('llm.usage', {})).then((value) => value && setUsage(value));
  }, [bridge, run, status]);

  const save = async () => {
    if (!checked.ok) return;
    const result = await run('Saving the LLM settings', () =>
      bridge.call('settings.set', { key: 'llm', value: checked.value }),
    );
    if (!result) return;
    if (!result.ok) return notify(store, `Not saved: ${result.error}`, 'error');
    store.setState({ settings: result.value });
    setDraft(toLlmDraft(result.value.llm));
    notify(store, 'LLM settings saved.');
  };

  const testConnection = async () => {
    setTest('running');
    const result = await run('Testing the LLM', () => bridge.call('llm.test', {}));
    setTest(result ?? null);
  };

  const patch = (change: Partial<LlmDraft>) => setDraft((current) => ({ ...current, ...change }));
  const setPrice = (index: number, change: Partial<LlmDraft['prices'][number]>) =>
    patch({ prices: draft.prices.map((row, at) => (at === index ? { ...row, ...change } : row)) });

  return (
    <form
      className="llm-settings panel"
      aria-label="LLM settings"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <h3>LLM</h3>
      <p className="muted small">
        Any OpenAI-compatible endpoint (OpenAI, OpenRouter, Ollama, LM Studio, llama.cpp). The API key is kept in the
        host&apos;s secret store, never in these settings: set it in Connections. Today: <LlmUsageLine usage={usage} />
      </p>
      <div className="grid-form">
        <Field label="Endpoint URL" error={error('baseUrl')}>
          <input
            value={draft.baseUrl}
            placeholder="http://127.0.0.1:11434/v1"
            onChange={(event) => patch({ baseUrl: event.target.value })}
          />
        </Field>
        <Field label="Model" error={error('model')}>
          <input value={draft.model} onChange={(event) => patch({ model: event.target.value })} />
        </Field>
        <Field label="API key name (secret store)" error={error('apiKeyRef')}>
          <input value={draft.apiKeyRef} onChange={(event) => patch({ apiKeyRef: event.target.value })} />
        </Field>
        {LLM_NUMBER_FIELDS.map((field) => (
          <Field key={field} label={NUMBER_LABELS[field]} error={error(field)}>
            <input
              inputMode="decimal"
              value={draft.numbers[field]}
              onChange={(event) => patch({ numbers: { ...draft.numbers, [field]: event.target.value } })}
            />
          </Field>
        ))}
        <label className="check">
          <input type="checkbox" checked={draft.stream} onChange={(event) => patch({ stream: event.target.checked })} />{' '}
          Stream replies
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.moderationEndpoint}
            onChange={(event) => patch({ moderationEndpoint: event.target.checked })}
          />{' '}
          Check replies with OpenAI moderation
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.classify}
            onChange={(event) => patch({ classify: event.target.checked })}
          />{' '}
          Also classify every chat message with the LLM (one call per message; off by default)
        </label>
      </div>
      <h4>Prices (USD per million tokens)</h4>
      <table className="table compact" aria-label="Price table">
        <thead>
          <tr>
            <th>model</th>
            <th>input</th>
            <th>output</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {draft.prices.map((row, index) => (
            <tr key={index}>
              <td>
                <input
                  value={row.model}
                  aria-label={`Price model ${index + 1}`}
                  onChange={(event) => setPrice(index, { model: event.target.value })}
                />
              </td>
              <td>
                <input
                  value={row.inPerMTok}
                  aria-label={`Input price ${index + 1}`}
                  onChange={(event) => setPrice(index, { inPerMTok: event.target.value })}
                />
              </td>
              <td>
                <input
                  value={row.outPerMTok}
                  aria-label={`Output price ${index + 1}`}
                  onChange={(event) => setPrice(index, { outPerMTok: event.target.value })}
                />
              </td>
              <td>
                <button
                  type="button"
                  className="ghost"
                  onClick={() => patch({ prices: draft.prices.filter((_, at) => at !== index) })}
                >
                  remove
                </button>
                {error(`prices.${index}`) && <span className="error-text small"> {error(`prices.${index}`)}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row-gap">
        <button
          type="button"
          onClick={() => patch({ prices: [...draft.prices, { model: '', inPerMTok: '0', outPerMTok: '0' }] })}
        >
          + Price
        </button>
        <button type="submit" className="primary" disabled={!checked.ok || !dirty}>
          Save LLM settings
        </button>
        <button type="button" onClick={() => void testConnection()} disabled={test === 'running' || dirty}>
          {test === 'running' ? 'Testing…' : 'Test connection'}
        </button>
        {dirty && <span className="muted small">Save before testing.</span>}
        {test && test !== 'running' && (
          <span className={test.ok ? 'ok-text' : 'error-text'} data-testid="llm-test-result">
            {test.ok ? 'OK' : 'Failed'}: {test.message}
            {test.latencyMs > 0 && ` (${test.latencyMs} ms)`}
          </span>
        )}
      </div>
    </form>
  );
}
