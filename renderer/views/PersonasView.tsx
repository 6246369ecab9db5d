/**
 * Personas: the bot's voices. Each field is checked with PersonaSchema as it is typed (the schema
 * the host saves with); a rule names a persona in its enrichments, and the default one answers
 * when a rule names none.
 */
import { useMemo } from 'react';
import { DEFAULT_PERSONA_ID, type Persona } from '../../pipeline/core/llm.js';
import { checkPersonaDraft, NEW_PERSONA_DRAFT, toPersonaDraft, type PersonaDraft } from '../state/persona-draft.js';
import { useConsoleContext } from '../ui/context.js';
import { EditorList, useListEditor } from '../ui/list-editor.js';

export function PersonasView() {
  const { bridge } = useConsoleContext();
  const editor = useListEditor<Persona, PersonaDraft>({
    noun: 'persona',
    idOf: (persona) => persona.id,
    nameOf: (persona) => persona.name,
    toDraft: toPersonaDraft,
    list: () => bridge.call('personas.list', {}),
    save: (next) => {
      const checked = checkPersonaDraft(next);
      return checked.ok ? bridge.call('personas.save', { persona: checked.persona }) : null;
    },
    remove: (id) => bridge.call('personas.delete', { id }),
  });
  const { draft, editingId, patch } = editor;
  const check = useMemo(() => (draft ? checkPersonaDraft(draft) : null), [draft]);
  const save = editor.save;
  const remove = editor.remove;
  const error = (field: keyof PersonaDraft) => (check && !check.ok ? check.errors[field] : undefined);

  return (
    <div className="editor">
      <EditorList
        items={editor.items}
        idOf={(persona) => persona.id}
        selectedId={editingId}
        newLabel="+ New persona"
        onNew={() => editor.create(NEW_PERSONA_DRAFT)}
        onOpen={editor.open}
        label={(persona) => (
          <>
            {persona.name}
            <span className="muted small"> · {persona.id}</span>
          </>
        )}
      />
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
