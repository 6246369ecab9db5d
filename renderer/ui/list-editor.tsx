/**
 * The list-plus-form flow the Rules, Commands and Personas editors share: load the list when the
 * console is linked, pick an item or start a new one, save (the host validates and answers with the
 * stored item, shown at once: a list read right after may miss the store's commit), delete.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { SaveResult } from '../../pipeline/core/host-api.js';
import { notify } from '../state/store.js';
import { useConsole, useConsoleContext, useHostAction } from './context.js';

export interface ListEditorOptions<Item, Draft> {
  /** "rule", "command", "persona": used in the messages. */
  noun: string;
  idOf: (item: Item) => string;
  /** How the saved message names the item (default: its id). */
  nameOf?: (item: Item) => string;
  toDraft: (item: Item) => Draft;
  list: () => Promise<Item[]>;
  save: (draft: Draft) => Promise<SaveResult<Item>> | null;
  remove: (id: string) => Promise<{ ok: boolean }>;
  sort?: (items: Item[]) => Item[];
}

export interface ListEditor<Item, Draft> {
  items: Item[];
  draft: Draft | null;
  /** The stored id of the item being edited; null for a new one. */
  editingId: string | null;
  /** The moderator changed something since the draft was opened (a new draft shows no errors before). */
  touched: boolean;
  open(item: Item): void;
  create(draft: Draft): void;
  patch(change: Partial<Draft>): void;
  replace(draft: Draft): void;
  save(): Promise<void>;
  remove(): Promise<void>;
}

export function useListEditor<Item, Draft>(options: ListEditorOptions<Item, Draft>): ListEditor<Item, Draft> {
  const { store } = useConsoleContext();
  const run = useHostAction();
  const status = useConsole((state) => state.connection.status);
  const [items, setItems] = useState<Item[]>([]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const { noun, idOf, sort = (list: Item[]) => list } = options;

  useEffect(() => {
    if (status !== 'open') return;
    void run(`Loading ${noun}s`, options.list).then((list) => {
      if (list) setItems(sort([...list]));
    });
  }, [status]);

  const shown = (saved: Item) =>
    setItems((current) => sort([...current.filter((item) => idOf(item) !== idOf(saved)), saved]));

  return {
    items,
    draft,
    editingId,
    touched,
    open(item) {
      setEditingId(idOf(item));
      setDraft(options.toDraft(item));
      setTouched(false);
    },
    create(next) {
      setEditingId(null);
      setDraft(next);
      setTouched(false);
    },
    patch(change) {
      setDraft((current) => (current ? { ...current, ...change } : current));
      setTouched(true);
    },
    replace(next) {
      setDraft(next);
      setTouched(true);
    },
    async save() {
      if (!draft) return;
      const pending = options.save(draft);
      if (!pending) return;
      const result = await run(`Saving the ${noun}`, () => pending);
      if (!result) return;
      if (!result.ok) return notify(store, `Not saved: ${result.error}`, 'error');
      notify(store, `${noun[0]!.toUpperCase()}${noun.slice(1)} ${(options.nameOf ?? idOf)(result.value)} saved.`);
      setEditingId(idOf(result.value));
      setDraft(options.toDraft(result.value));
      setTouched(false);
      shown(result.value);
    },
    async remove() {
      if (!editingId || !window.confirm(`Delete ${noun} ${editingId}?`)) return;
      const id = editingId;
      const result = await run(`Deleting the ${noun}`, () => options.remove(id));
      if (!result?.ok) return notify(store, `${noun} ${id} was not deleted.`, 'error');
      setItems((current) => current.filter((item) => idOf(item) !== id));
      setDraft(null);
      setEditingId(null);
    },
  };
}

/** The list side: a "+ New" button and one button per item. */
export function EditorList<Item>({
  items,
  idOf,
  selectedId,
  newLabel,
  onNew,
  onOpen,
  label,
  disabled,
}: {
  items: readonly Item[];
  idOf: (item: Item) => string;
  selectedId: string | null;
  newLabel: string;
  onNew: () => void;
  onOpen: (item: Item) => void;
  label: (item: Item) => ReactNode;
  disabled?: (item: Item) => boolean;
}) {
  return (
    <aside className="editor-list">
      <button type="button" onClick={onNew}>
        {newLabel}
      </button>
      <ul className="plain">
        {items.map((item) => (
          <li key={idOf(item)}>
            <button
              type="button"
              className={`list-item${selectedId === idOf(item) ? ' selected' : ''}${disabled?.(item) ? ' disabled' : ''}`}
              onClick={() => onOpen(item)}
            >
              {label(item)}
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
