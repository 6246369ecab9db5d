/**
 * Commands editor: a form (trigger kind and text, reply template with the variables the template
 * engine knows, cooldowns, roles, enabled) with a live preview against a sample chat line; the JSON
 * stays one click away as "Advanced". Checked with the same `checkCommand` the host saves with.
 */
import { useMemo, useState } from 'react';
import { checkCommand, TEMPLATE_VARIABLES } from '../../pipeline/core/commands.js';
import { RoleSchema, KnownEventTypes } from '../../pipeline/core/envelope.js';
import type { CommandDefinition } from '../../pipeline/core/protocol/store.js';
import {
  checkCommandDraft,
  draftToInput,
  NEW_COMMAND_DRAFT,
  previewCommand,
  toCommandDraft,
  type CommandDraft,
  type TriggerKind,
} from '../state/command-draft.js';
import { useConsole, useConsoleContext } from '../ui/context.js';
import { EditorList, useListEditor } from '../ui/list-editor.js';

const TRIGGER_KINDS: { kind: TriggerKind; label: string; field: string; placeholder: string }[] = [
  { kind: 'exact', label: 'the whole message is', field: 'Message', placeholder: '!discord' },
  { kind: 'prefix', label: 'the message starts with', field: 'Command word', placeholder: '!so' },
  { kind: 'regex', label: 'the message matches a pattern', field: 'Pattern', placeholder: '^!dice (\\d+)$' },
  {
    kind: 'event',
    label: 'an event happens',
    field: 'Event types (comma separated)',
    placeholder: KnownEventTypes.follow,
  },
];

function triggerLabel(command: CommandDefinition): string {
  const trigger = command.trigger;
  if (trigger.kind === 'event') return trigger.types.join(', ');
  return trigger.kind === 'regex' ? trigger.pattern : trigger.text;
}

export function CommandsView() {
  const { bridge } = useConsoleContext();
  const channel = useConsole((state) => state.settings?.channel) || 'yourchannel';
  const editor = useListEditor<CommandDefinition, CommandDraft>({
    noun: 'command',
    idOf: (command) => command.id,
    toDraft: toCommandDraft,
    list: () => bridge.call('commands.list', {}),
    save: (draft) => {
      const check = checkCommandDraft(draft);
      return check.ok ? bridge.call('commands.save', { command: check.command }) : null;
    },
    remove: (id) => bridge.call('commands.delete', { id }),
  });
  const { draft } = editor;
  const check = useMemo(() => (draft ? checkCommandDraft(draft) : null), [draft]);
  const [advanced, setAdvanced] = useState(false);

  return (
    <div className="editor">
      <EditorList
        items={editor.items}
        idOf={(command) => command.id}
        selectedId={editor.editingId}
        newLabel="+ New command"
        onNew={() => editor.create(NEW_COMMAND_DRAFT)}
        onOpen={editor.open}
        disabled={(command) => !command.enabled}
        label={(command) => (
          <>
            {triggerLabel(command)}
            <span className="muted small"> · {command.id}</span>
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
          <div className="row-gap">
            <button type="button" className="ghost" aria-pressed={advanced} onClick={() => setAdvanced(!advanced)}>
              {advanced ? 'Back to the form' : 'Advanced (JSON)'}
            </button>
          </div>
          {advanced ? (
            <AdvancedJson draft={draft} onChange={editor.replace} />
          ) : (
            <CommandForm draft={draft} isNew={editor.editingId === null} patch={editor.patch} />
          )}
          {check && !check.ok && (editor.touched || editor.editingId !== null) && (
            <p className="error-text" data-testid="command-error">
              {check.error}
            </p>
          )}
          {check?.ok && <CommandPreview command={check.command} channel={channel} />}
          <div className="row-gap">
            <button type="submit" className="primary" disabled={!check?.ok}>
              Save
            </button>
            {editor.editingId && (
              <button type="button" className="danger" onClick={() => void editor.remove()}>
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

function CommandForm({
  draft,
  isNew,
  patch,
}: {
  draft: CommandDraft;
  isNew: boolean;
  patch: (change: Partial<CommandDraft>) => void;
}) {
  const kind = TRIGGER_KINDS.find((entry) => entry.kind === draft.kind)!;
  const toggleRole = (role: string) =>
    patch({ roles: draft.roles.includes(role) ? draft.roles.filter((r) => r !== role) : [...draft.roles, role] });
  const insert = (variable: string) => patch({ template: `${draft.template}{${variable}}` });
  return (
    <>
      <div className="grid-form">
        <label>
          <span>Id</span>
          <input value={draft.id} disabled={!isNew} onChange={(event) => patch({ id: event.target.value })} />
        </label>
        <label>
          <span>Runs when</span>
          <select value={draft.kind} onChange={(event) => patch({ kind: event.target.value as TriggerKind })}>
            {TRIGGER_KINDS.map((entry) => (
              <option key={entry.kind} value={entry.kind}>
                {entry.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{kind.field}</span>
          <input
            value={draft.text}
            placeholder={kind.placeholder}
            onChange={(event) => patch({ text: event.target.value })}
            aria-label="Trigger"
          />
        </label>
        {draft.kind === 'regex' && (
          <label>
            <span>Flags</span>
            <input value={draft.flags} placeholder="i" onChange={(event) => patch({ flags: event.target.value })} />
          </label>
        )}
        <label>
          <span>Cooldown per user (s)</span>
          <input
            value={draft.userCooldownSeconds}
            inputMode="numeric"
            onChange={(event) => patch({ userCooldownSeconds: event.target.value })}
          />
        </label>
        <label>
          <span>Cooldown for everyone (s)</span>
          <input
            value={draft.globalCooldownSeconds}
            inputMode="numeric"
            onChange={(event) => patch({ globalCooldownSeconds: event.target.value })}
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
      </div>
      <label>
        <span>Reply</span>
        <textarea
          rows={3}
          value={draft.template}
          onChange={(event) => patch({ template: event.target.value })}
          aria-label="Reply template"
        />
      </label>
      <div className="variables" aria-label="Template variables">
        <span className="muted small">Insert:</span>
        {TEMPLATE_VARIABLES.map((variable) => (
          <button key={variable} type="button" className="chip-button" onClick={() => insert(variable)}>
            {`{${variable}}`}
          </button>
        ))}
      </div>
      <fieldset className="roles">
        <legend>Who may run it (none ticked: everyone)</legend>
        {RoleSchema.options.map((role) => (
          <label key={role} className="check">
            <input type="checkbox" checked={draft.roles.includes(role)} onChange={() => toggleRole(role)} />
            {role}
          </label>
        ))}
      </fieldset>
    </>
  );
}

function AdvancedJson({ draft, onChange }: { draft: CommandDraft; onChange: (draft: CommandDraft) => void }) {
  const [text, setText] = useState(() => JSON.stringify(draftToInput(draft), null, 2));
  const [error, setError] = useState<string | null>(null);
  const change = (next: string) => {
    setText(next);
    let parsed: unknown;
    try {
      parsed = JSON.parse(next);
    } catch (caught) {
      return setError(`Not valid JSON: ${caught instanceof Error ? caught.message : String(caught)}`);
    }
    const check = checkCommand(parsed);
    if (!check.ok) return setError(check.error);
    setError(null);
    onChange(toCommandDraft(check.command));
  };
  return (
    <>
      <textarea
        className="mono"
        rows={14}
        spellCheck={false}
        value={text}
        onChange={(event) => change(event.target.value)}
        aria-label="Command JSON"
      />
      {error && <p className="error-text">{error}</p>}
    </>
  );
}

function CommandPreview({ command, channel }: { command: CommandDefinition; channel: string }) {
  const [sample, setSample] = useState(() =>
    command.trigger.kind === 'exact' || command.trigger.kind === 'prefix' ? command.trigger.text : '',
  );
  const preview = previewCommand(command, { text: sample, user: 'SampleViewer', channel });
  return (
    <fieldset className="test-box">
      <legend>Preview</legend>
      {command.trigger.kind !== 'event' && (
        <input
          value={sample}
          onChange={(event) => setSample(event.target.value)}
          aria-label="Sample chat message"
          placeholder="a chat message from SampleViewer"
        />
      )}
      <p data-testid="command-preview" className={preview.runs ? '' : 'muted'}>
        {preview.runs ? (
          <>
            Bot: <strong>{preview.reply}</strong>
          </>
        ) : (
          preview.why
        )}
      </p>
    </fieldset>
  );
}
