/**
 * Personas: the bot's voices. Each field is checked with PersonaSchema as it is typed (the schema
 * the host saves with); a rule names a persona in its enrichments, and the default one answers
 * when a rule names none.
 */
import { useEffect, useMemo, useState } from 'react';
import { DEFAULT_PERSONA_ID, type Persona } from '../../pipeline/core/llm.js';
import { checkPersonaDraft, NEW_PERSONA_DRAFT, toPersonaDraft, type PersonaDraft } from '../state/persona-draft.js';
import { notify } from '../state/store.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';

export function PersonasView() {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const status = useConsole((state) => state.connection.status);
  const [personas, setPersonas] = useState<Persona[]>([]);
  const [draft, setDraft] = useState<PersonaDraft | null>(null);
  const [editingId, setEditingId] = useState<string | null>(null);
  const check = useMemo(() => (draft ? checkPersonaDraft(draft) : null), [draft]);

  const load = async () => {
    const list = await run('Loading personas', () => bridge.call('personas.list', {}));
    if (list) setPersonas(list);
  };
  useEffect(() => {
    if (status === 'open') void load();
  }, [status]);

  const save = async () => {
    if (!check?.ok) return;
    const result = await run('Saving the persona', () => bridge.call('personas.save', { persona: check.persona }));
    if (!result) return;
    if (!result.ok) return notify(store, `Not saved: ${result.error}`, 'error');
    const saved = result.value;
    notify(store, `Persona ${saved.name} saved.`);
    setEditingId(saved.id);
    setDraft(toPersonaDraft(saved));
    // The host answers before its store worker commits, so a list read now may miss it: show the saved one.
    setPersonas((current) => [...current.filter((persona) => persona.id !== saved.id), saved]);
  };

  const remove = async () => {
    if (!editingId || !window.confirm(`Delete persona ${editingId}?`)) return;
    const result = await run('Deleting the persona', () => bridge.call('personas.delete', { id: editingId }));
    if (!result?.ok) return notify(store, `Persona ${editingId} was not deleted.`, 'error');
    setPersonas((current) => current.filter((persona) => persona.id !== editingId));
    setDraft(null);
    setEditingId(null);
  };

  const error = (field: keyof PersonaDraft) => (check && !check.ok ? check.errors[field] : undefined);
  const patch = (change: Partial<PersonaDraft>) =>
    setDraft((current) => (current ? { ...current, ...change } : current));

  return (
    <div className="editor">
      <aside className="editor-list">
        <button
          type="button"
          onClick={() => {
            setEditingId(null);
            setDraft(NEW_PERSONA_DRAFT);
          }}
        >
          + New persona
        </button>
        <ul className="plain">
          {personas.map((persona) => (
            <li key={persona.id}>
              <button
                type="button"
                className={`list-item${editingId === persona.id ? ' selected' : ''}`}
                onClick={() => {
                  setEditingId(persona.id);
                  setDraft(toPersonaDraft(persona));
                }}
              >
                {persona.name}
                <span className="muted small"> · {persona.id}</span>
              </button>
            </li>
          ))}
        </ul>
      </aside>
      {draft ? (
        <form
          className="editor-form"
          aria-label="Persona"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <div className="grid-form">
            <label>
              Id
              <input
                value={draft.id}
                disabled={editingId !== null}
                onChange={(event) => patch({ id: event.target.value })}
                aria-label="Persona id"
              />
              {error('id') && <span className="error-text small">{error('id')}</span>}
            </label>
            <label>
              Name
              <input
                value={draft.name}
                onChange={(event) => patch({ name: event.target.value })}
                aria-label="Persona name"
              />
              {error('name') && <span className="error-text small">{error('name')}</span>}
            </label>
            <label>
              Longest reply (characters)
              <input
                value={draft.replyLength}
                inputMode="numeric"
                onChange={(event) => patch({ replyLength: event.target.value })}
                aria-label="Longest reply"
              />
              {error('replyLength') && <span className="error-text small">{error('replyLength')}</span>}
            </label>
          </div>
          <label>
            Voice and instructions
            <textarea
              rows={5}
              value={draft.instructions}
              onChange={(event) => patch({ instructions: event.target.value })}
              aria-label="Instructions"
            />
            {error('instructions') && <span className="error-text small">{error('instructions')}</span>}
          </label>
          <div className="grid-form">
            <label>
              Do (one per line)
              <textarea
                rows={5}
                value={draft.do}
                onChange={(event) => patch({ do: event.target.value })}
                aria-label="Do"
              />
              {error('do') && <span className="error-text small">{error('do')}</span>}
            </label>
            <label>
              Don&apos;t (one per line)
              <textarea
                rows={5}
                value={draft.dont}
                onChange={(event) => patch({ dont: event.target.value })}
                aria-label="Don't"
              />
              {error('dont') && <span className="error-text small">{error('dont')}</span>}
            </label>
          </div>
          <label>
            Model overrides (JSON: baseUrl, model, temperature, maxTokens, timeoutMs, maxRetries)
            <textarea
              className="mono"
              rows={4}
              spellCheck={false}
              value={draft.model}
              onChange={(event) => patch({ model: event.target.value })}
              aria-label="Model overrides"
            />
            {error('model') && <span className="error-text small">{error('model')}</span>}
          </label>
          <div className="row-gap">
            <button type="submit" className="primary" disabled={!check?.ok}>
              Save persona
            </button>
            {editingId && editingId !== DEFAULT_PERSONA_ID && (
              <button type="button" className="danger" onClick={() => void remove()}>
                Delete
              </button>
            )}
          </div>
        </form>
      ) : (
        <section className="muted editor-form">Pick a persona or create one.</section>
      )}
    </div>
  );
}
