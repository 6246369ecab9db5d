/**
 * What the bot remembers (the llm-bot's conversation memory), newest first, per user or per
 * channel, with a clear button for the shown scope. Opened from Users with a user's key.
 */
import { useEffect, useState } from 'react';
import type { MemoryEntry } from '../../pipeline/core/llm.js';
import { notify } from '../state/store.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';

export function MemoryView() {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const status = useConsole((state) => state.connection.status);
  const filter = useConsole((state) => state.memoryFilter);
  const [entries, setEntries] = useState<MemoryEntry[] | null>(null);
  const scopeKey = filter.scope ? filter.scopeKey.trim() : '';

  const load = async () => {
    const list = await run('Loading memory', () =>
      bridge.call('memory.list', {
        limit: 200,
        ...(filter.scope ? { scope: filter.scope } : {}),
        ...(scopeKey ? { scopeKey } : {}),
      }),
    );
    if (list) setEntries(list);
  };

  useEffect(() => {
    if (status !== 'open') return;
    const timer = setTimeout(() => void load(), 200);
    return () => clearTimeout(timer);
  }, [status, filter.scope, scopeKey]);

  const what = !filter.scope ? 'all memory' : scopeKey ? `${filter.scope} ${scopeKey}` : `every ${filter.scope} memory`;
  const clear = async () => {
    if (!window.confirm(`Clear ${what}? The bot forgets it for good.`)) return;
    const result = await run('Clearing memory', () =>
      bridge.call('memory.clear', {
        ...(filter.scope ? { scope: filter.scope } : {}),
        ...(scopeKey ? { scopeKey } : {}),
      }),
    );
    if (!result?.ok) return;
    notify(store, `Cleared ${what}.`);
    await load();
  };
  const setFilter = (change: Partial<typeof filter>) =>
    store.setState((state) => ({ memoryFilter: { ...state.memoryFilter, ...change } }));

  return (
    <div className="users memory">
      <div className="row-gap">
        <select
          value={filter.scope}
          onChange={(event) => setFilter({ scope: event.target.value as typeof filter.scope })}
          aria-label="Memory scope"
        >
          <option value="">all scopes</option>
          <option value="user">per user</option>
          <option value="channel">per channel</option>
        </select>
        <input
          type="search"
          placeholder={filter.scope === 'user' ? 'twitch:12345' : 'connector:channel'}
          value={filter.scopeKey}
          disabled={!filter.scope}
          maxLength={200}
          onChange={(event) => setFilter({ scopeKey: event.target.value })}
          aria-label="Memory key"
        />
        <button type="button" className="danger" onClick={() => void clear()} disabled={entries?.length === 0}>
          Clear {what}
        </button>
      </div>
      {entries === null && <p className="muted">Loading…</p>}
      {entries?.length === 0 && <p className="muted">The bot remembers nothing here.</p>}
      {entries && entries.length > 0 && (
        <table className="table" data-testid="memory-entries">
          <thead>
            <tr>
              <th>when</th>
              <th>scope</th>
              <th>who</th>
              <th>text</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td className="mono">{formatDateTime(entry.at)}</td>
                <td>
                  {entry.scope} <span className="muted small">{entry.scopeKey}</span>
                </td>
                <td>{entry.role === 'assistant' ? 'bot' : 'viewer'}</td>
                <td>{entry.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
