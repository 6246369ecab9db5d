/**
 * Commands editor. A command is edited as JSON (its trigger has four shapes); the host validates
 * it on save (including regex safety) and its error is shown as it comes back.
 */
import { useEffect, useState } from 'react';
import type { CommandDefinition } from '../../pipeline/core/protocol/store.js';
import { notify } from '../state/store.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';
import { TemplateVariables } from '../ui/TemplateVariables.js';

const NEW_COMMAND: CommandDefinition = {
  id: 'hello',
  enabled: true,
  trigger: { kind: 'exact', text: '!hello' },
  template: 'Hello {user}!',
  roles: [],
  userCooldownSeconds: 10,
  globalCooldownSeconds: 2,
};

export function CommandsView() {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const status = useConsole((state) => state.connection.status);
  const [commands, setCommands] = useState<CommandDefinition[]>([]);
  const [text, setText] = useState<string | null>(null);
  const [editingId, setEditingId] = useState<string | null>(null);

  const load = async () => {
    const list = await run('Loading commands', () => bridge.call('commands.list', {}));
    if (list) setCommands(list);
  };
  useEffect(() => {
    if (status === 'open') void load();
  }, [status]);

  let parseError: string | null = null;
  let parsed: unknown;
  if (text !== null) {
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      parseError = error instanceof Error ? error.message : String(error);
    }
  }

  const save = async () => {
    if (parseError || text === null) return;
    const result = await run('Saving the command', () => bridge.call('commands.save', { command: parsed }));
    if (!result) return;
    if (!result.ok) return notify(store, `Not saved: ${result.error}`, 'error');
    notify(store, `Command ${result.value.id} saved.`);
    setEditingId(result.value.id);
    setText(JSON.stringify(result.value, null, 2));
    await load();
  };

  const remove = async () => {
    if (!editingId || !window.confirm(`Delete command ${editingId}?`)) return;
    const result = await run('Deleting the command', () => bridge.call('commands.delete', { id: editingId }));
    if (result?.ok) {
      setText(null);
      setEditingId(null);
      await load();
    }
  };

  return (
    <div className="editor">
      <aside className="editor-list">
        <button
          type="button"
          onClick={() => {
            setEditingId(null);
            setText(JSON.stringify(NEW_COMMAND, null, 2));
          }}
        >
          + New command
        </button>
        <ul className="plain">
          {commands.map((command) => (
            <li key={command.id}>
              <button
                type="button"
                className={`list-item${editingId === command.id ? ' selected' : ''}${command.enabled ? '' : ' disabled'}`}
                onClick={() => {
                  setEditingId(command.id);
                  setText(JSON.stringify(command, null, 2));
                }}
              >
                {command.trigger.kind === 'event'
                  ? command.trigger.types.join(', ')
                  : 'text' in command.trigger
                    ? command.trigger.text
                    : command.trigger.pattern}
                <span className="muted small"> · {command.id}</span>
              </button>
            </li>
          ))}
        </ul>
      </aside>
      {text !== null ? (
        <form
          className="editor-form"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <p className="muted small">Trigger kinds: exact, prefix, regex, event.</p>
          <TemplateVariables />
          <textarea
            className="mono"
            rows={16}
            spellCheck={false}
            value={text}
            onChange={(event) => setText(event.target.value)}
            aria-label="Command JSON"
          />
          {parseError && <p className="error-text">Not valid JSON: {parseError}</p>}
          <div className="row-gap">
            <button type="submit" className="primary" disabled={parseError !== null}>
              Save
            </button>
            {editingId && (
              <button type="button" className="danger" onClick={() => void remove()}>
                Delete
              </button>
            )}
          </div>
        </form>
      ) : (
        <section className="muted editor-form">Pick a command or create one.</section>
      )}
    </div>
  );
}
