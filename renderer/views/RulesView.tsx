/**
 * Rules editor: the router's rules as data. Every keystroke is validated with the same checkRule
 * the host uses (it walks the JsonLogic, never compiles it: the console's CSP forbids eval); "Test" asks the host which rule would match a stored event and the slip it would
 * get, before anything is saved.
 */
import { useMemo, useState } from 'react';
import { RuleStageSchema, type Rule } from '../../pipeline/core/rules.js';
import { KnownEventTypes, RoleSchema } from '../../pipeline/core/envelope.js';
import {
  conditionToLogic,
  emptyDraft,
  EMPTY_CONDITION,
  fromDraft,
  toDraft,
  type CommonCondition,
  type RuleDraft,
} from '../state/rule-draft.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';
import { EditorList, useListEditor } from '../ui/list-editor.js';

type TestOutcome =
  { ok: true; matched: string[]; chosen: string | null; slip: string[] } | { ok: false; error: string };

const byStageThenPriority = (rules: Rule[]) =>
  rules.sort((a, b) => a.stage.localeCompare(b.stage) || b.priority - a.priority);

export function RulesView() {
  const { bridge } = useConsoleContext();
  const run = useHostAction();
  const selectedEvent = useConsole((state) => state.selectedEventId);
  const editor = useListEditor<Rule, RuleDraft>({
    noun: 'rule',
    idOf: (rule) => rule.id,
    toDraft,
    sort: byStageThenPriority,
    list: () => bridge.call('rules.list', {}),
    save: (next) => {
      const checked = fromDraft(next);
      return checked.ok ? bridge.call('rules.save', { rule: checked.rule }) : null;
    },
    remove: (id) => bridge.call('rules.delete', { id }),
  });
  const { draft } = editor;
  const isNew = editor.editingId === null;
  const [testEventId, setTestEventId] = useState(selectedEvent ?? '');
  const [test, setTest] = useState<TestOutcome | null>(null);

  const check = useMemo(() => (draft ? fromDraft(draft) : null), [draft]);
  const patch = (change: Partial<RuleDraft>) => {
    editor.patch(change);
    setTest(null);
  };
  const remove = editor.remove;

  const runTest = async () => {
    if (!check?.ok || !testEventId.trim()) return;
    const result = await run('Testing the rule', () =>
      bridge.call('rules.test', { eventId: testEventId.trim(), rule: check.rule }),
    );
    if (result) setTest(result.ok ? { ok: true, ...result.value } : result);
  };

  return (
    <div className="editor">
      <EditorList
        items={editor.items}
        idOf={(rule) => rule.id}
        selectedId={editor.editingId}
        newLabel="+ New rule"
        onNew={() => {
          editor.create(emptyDraft());
          setTest(null);
        }}
        onOpen={(rule) => {
          editor.open(rule);
          setTest(null);
        }}
        disabled={(rule) => !rule.enabled}
        label={(rule) => (
          <>
            <span className="chip">{rule.stage}</span> {rule.name || rule.id}{' '}
            <span className="muted small">p{rule.priority}</span>
          </>
        )}
      />
      {draft ? (
        <form
          className="editor-form"
          onSubmit={(event) => {
            event.preventDefault();
            void editor.save();
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
          <ConditionForm onUse={(when) => patch({ when: JSON.stringify(when, null, 2) })} />
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
          {check && !check.ok && (editor.touched || !isNew) && (
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

const EVENT_TYPES = Object.values(KnownEventTypes);
const ANNOTATIONS: { value: CommonCondition['annotation']; label: string; placeholder: string }[] = [
  { value: '', label: 'no analyzer condition', placeholder: '' },
  { value: 'intent.label', label: 'intent is', placeholder: 'question' },
  { value: 'risk.level', label: 'risk is', placeholder: 'high' },
  { value: 'sentiment.label', label: 'sentiment is', placeholder: 'negative' },
  { value: 'spam.isSpam', label: 'spam is', placeholder: 'true' },
];

/** The common cases as a form; "Use" writes the JsonLogic into When, where anything else can be added. */
function ConditionForm({ onUse }: { onUse: (when: unknown) => void }) {
  const [condition, setCondition] = useState<CommonCondition>(EMPTY_CONDITION);
  const set = (change: Partial<CommonCondition>) => setCondition((current) => ({ ...current, ...change }));
  const annotation = ANNOTATIONS.find((entry) => entry.value === condition.annotation)!;
  return (
    <fieldset className="condition-form" aria-label="Common condition">
      <legend>Condition</legend>
      <select value={condition.type} onChange={(event) => set({ type: event.target.value })} aria-label="Event type">
        <option value="">any event</option>
        {EVENT_TYPES.map((type) => (
          <option key={type} value={type}>
            {type}
          </option>
        ))}
      </select>
      <select
        value={condition.textMatch}
        onChange={(event) => set({ textMatch: event.target.value as CommonCondition['textMatch'] })}
        aria-label="Text match"
      >
        <option value="any">any text</option>
        <option value="contains">text contains</option>
        <option value="startsWith">text starts with</option>
      </select>
      {condition.textMatch !== 'any' && (
        <input value={condition.text} onChange={(event) => set({ text: event.target.value })} aria-label="Text" />
      )}
      <select value={condition.role} onChange={(event) => set({ role: event.target.value })} aria-label="Role">
        <option value="">from anyone</option>
        {RoleSchema.options.map((role) => (
          <option key={role} value={role}>
            from a {role}
          </option>
        ))}
      </select>
      <select
        value={condition.annotation}
        onChange={(event) => set({ annotation: event.target.value as CommonCondition['annotation'] })}
        aria-label="Analyzer condition"
      >
        {ANNOTATIONS.map((entry) => (
          <option key={entry.value} value={entry.value}>
            {entry.label}
          </option>
        ))}
      </select>
      {condition.annotation && (
        <input
          value={condition.annotationValue}
          placeholder={annotation.placeholder}
          onChange={(event) => set({ annotationValue: event.target.value })}
          aria-label="Analyzer value"
        />
      )}
      <button type="button" onClick={() => onUse(conditionToLogic(condition))}>
        Use as When
      </button>
    </fieldset>
  );
}
