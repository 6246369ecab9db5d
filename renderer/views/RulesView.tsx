/**
 * Rules editor: the router's rules as data. Every keystroke is validated with the same checkRule
 * the host uses (it walks the JsonLogic, never compiles it: the console's CSP forbids eval); "Test" asks the host which rule would match a stored event and the slip it would
 * get, before anything is saved.
 */
import { useEffect, useMemo, useState } from 'react';
import { RuleStageSchema, type Rule } from '../../pipeline/core/rules.js';
import { emptyDraft, fromDraft, toDraft, type RuleDraft } from '../state/rule-draft.js';
import { notify } from '../state/store.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';

type TestOutcome =
  { ok: true; matched: string[]; chosen: string | null; slip: string[] } | { ok: false; error: string };

export function RulesView() {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const status = useConsole((state) => state.connection.status);
  const selectedEvent = useConsole((state) => state.selectedEventId);
  const [rules, setRules] = useState<Rule[]>([]);
  const [draft, setDraft] = useState<RuleDraft | null>(null);
  const [isNew, setIsNew] = useState(false);
  // A new rule is empty by design: its problems show once the moderator has changed something.
  const [touched, setTouched] = useState(false);
  const [testEventId, setTestEventId] = useState(selectedEvent ?? '');
  const [test, setTest] = useState<TestOutcome | null>(null);

  const load = async () => {
    const list = await run('Loading rules', () => bridge.call('rules.list', {}));
    if (list) setRules([...list].sort((a, b) => a.stage.localeCompare(b.stage) || b.priority - a.priority));
  };
  useEffect(() => {
    if (status === 'open') void load();
  }, [status]);

  const check = useMemo(() => (draft ? fromDraft(draft) : null), [draft]);
  const patch = (change: Partial<RuleDraft>) => {
    setDraft((current) => (current ? { ...current, ...change } : current));
    setTouched(true);
    setTest(null);
  };

  const save = async () => {
    if (!check?.ok) return;
    const result = await run('Saving the rule', () => bridge.call('rules.save', { rule: check.rule }));
    if (!result) return;
    if (!result.ok) return notify(store, `Not saved: ${result.error}`, 'error');
    notify(store, `Rule ${result.value.id} saved.`);
    setDraft(toDraft(result.value));
    setIsNew(false);
    await load();
  };

  const remove = async () => {
    if (!draft || isNew || !window.confirm(`Delete rule ${draft.id}?`)) return;
    const result = await run('Deleting the rule', () => bridge.call('rules.delete', { id: draft.id }));
    if (result?.ok) {
      setDraft(null);
      await load();
    }
  };

  const runTest = async () => {
    if (!check?.ok || !testEventId.trim()) return;
    const result = await run('Testing the rule', () =>
      bridge.call('rules.test', { eventId: testEventId.trim(), rule: check.rule }),
    );
    if (result) setTest(result.ok ? { ok: true, ...result.value } : result);
  };

  return (
    <div className="editor">
      <aside className="editor-list">
        <button
          type="button"
          onClick={() => {
            setDraft(emptyDraft());
            setIsNew(true);
            setTouched(false);
            setTest(null);
          }}
        >
          + New rule
        </button>
        <ul className="plain">
          {rules.map((rule) => (
            <li key={rule.id}>
              <button
                type="button"
                className={`list-item${draft?.id === rule.id && !isNew ? ' selected' : ''}${rule.enabled ? '' : ' disabled'}`}
                onClick={() => {
                  setDraft(toDraft(rule));
                  setIsNew(false);
                  setTest(null);
                }}
              >
                <span className="chip">{rule.stage}</span> {rule.name || rule.id}{' '}
                <span className="muted small">p{rule.priority}</span>
              </button>
            </li>
          ))}
        </ul>
      </aside>
      {draft ? (
        <form
          className="editor-form"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <div className="grid-form">
            <label>
              Id
              <input value={draft.id} disabled={!isNew} onChange={(event) => patch({ id: event.target.value })} />
            </label>
            <label>
              Name
              <input value={draft.name} onChange={(event) => patch({ name: event.target.value })} />
            </label>
            <label>
              Stage
              <select value={draft.stage} onChange={(event) => patch({ stage: event.target.value as Rule['stage'] })}>
                {RuleStageSchema.options.map((stage) => (
                  <option key={stage}>{stage}</option>
                ))}
              </select>
            </label>
            <label>
              Priority
              <input
                value={draft.priority}
                inputMode="numeric"
                onChange={(event) => patch({ priority: event.target.value })}
              />
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={draft.enabled}
                onChange={(event) => patch({ enabled: event.target.checked })}
              />
              Enabled
            </label>
            <label>
              Slip (services, in order)
              <input
                value={draft.slip}
                onChange={(event) => patch({ slip: event.target.value })}
                placeholder="llm-bot"
              />
            </label>
            <label>
              Approval
              <select
                value={draft.approvalMode}
                onChange={(event) => patch({ approvalMode: event.target.value as RuleDraft['approvalMode'] })}
              >
                <option value="auto">send at once</option>
                <option value="require">hold for a moderator</option>
                <option value="auto-after">send after N s unless stopped</option>
              </select>
            </label>
            {draft.approvalMode !== 'auto' && (
              <label>
                {draft.approvalMode === 'require' ? 'Expires after (s)' : 'Sends after (s)'}
                <input
                  value={draft.approvalSeconds}
                  inputMode="numeric"
                  onChange={(event) => patch({ approvalSeconds: event.target.value })}
                />
              </label>
            )}
          </div>
          <label>
            Description
            <input value={draft.description} onChange={(event) => patch({ description: event.target.value })} />
          </label>
          <label>
            {/* One span: the label is a flex column, and bare text between <code>s would become one item per word. */}
            <span>
              When (JsonLogic over the event; also <code>text</code>, <code>login</code>, <code>roles</code>,{' '}
              <code>annotation.kind</code>)
            </span>
            <textarea
              className="mono"
              rows={8}
              spellCheck={false}
              value={draft.when}
              onChange={(event) => patch({ when: event.target.value })}
              aria-label="When"
            />
          </label>
          {check && !check.ok && (touched || !isNew) && (
            <p className="error-text" data-testid="rule-error">
              {check.error}
            </p>
          )}
          <div className="row-gap">
            <button type="submit" className="primary" disabled={!check?.ok}>
              Save
            </button>
            {!isNew && (
              <button type="button" className="danger" onClick={() => void remove()}>
                Delete
              </button>
            )}
          </div>
          <fieldset className="test-box">
            <legend>Test against an event</legend>
            <input
              value={testEventId}
              placeholder="event id (select one in Live)"
              onChange={(event) => setTestEventId(event.target.value)}
              aria-label="Event id to test"
            />
            <button type="button" disabled={!check?.ok || !testEventId.trim()} onClick={() => void runTest()}>
              Test
            </button>
            {test &&
              (test.ok ? (
                <p data-testid="rule-test-result">
                  Matched: {test.matched.length > 0 ? test.matched.join(', ') : 'none'} · chosen:{' '}
                  <strong>{test.chosen ?? 'none'}</strong> · slip: {test.slip.join(' → ') || '(empty)'}
                </p>
              ) : (
                <p className="error-text">{test.error}</p>
              ))}
          </fieldset>
        </form>
      ) : (
        <section className="muted editor-form">Pick a rule or create one.</section>
      )}
    </div>
  );
}
