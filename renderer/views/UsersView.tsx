/**
 * Users as the pipeline has seen them: roles as last seen, first seen, message count; their events,
 * what the bot remembers of them, and moderator actions (ignore, timeout, ban).
 */
import { useEffect, useState } from 'react';
import type { UserSummary } from '../../pipeline/core/host-api.js';
import { RoleBadges } from '../ui/chips.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';
import { formatDateTime } from '../ui/format.js';
import { UserActions } from '../ui/UserActions.js';

export function UsersView() {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const status = useConsole((state) => state.connection.status);
  const [search, setSearch] = useState('');
  const [users, setUsers] = useState<UserSummary[]>([]);

  useEffect(() => {
    if (status !== 'open') return;
    let current = true;
    const timer = setTimeout(() => {
      void run('Loading users', () =>
        bridge.call('users.list', { limit: 200, ...(search.trim() ? { search: search.trim() } : {}) }),
      ).then((list) => {
        if (current && list) setUsers(list);
      });
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [bridge, run, search, status]);

  const showEvents = (login: string) =>
    store.setState((state) => ({ view: 'live', filter: { ...state.filter, user: login } }));

  const showMemory = (user: UserSummary) =>
    store.setState({
      view: 'memory',
      memoryFilter: { scope: 'user', scopeKey: `${user.platform}:${user.externalId}` },
    });

  return (
    <div className="users">
      <input
        type="search"
        placeholder="Search users"
        value={search}
        maxLength={100}
        onChange={(event) => setSearch(event.target.value)}
        aria-label="Search users"
      />
      <table className="table users-table">
        <thead>
          <tr>
            <th>user</th>
            <th>roles</th>
            <th>messages</th>
            <th>first seen</th>
            <th>last seen</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={`${user.platform}:${user.externalId}`}>
              <td title={`${user.displayName} (${user.login})`}>
                {user.displayName} <span className="muted small">{user.login}</span>
              </td>
              <td>
                <RoleBadges roles={user.roles} />
              </td>
              <td>{user.messageCount.toLocaleString()}</td>
              <td>{formatDateTime(user.firstSeenAt)}</td>
              <td>{formatDateTime(user.lastSeenAt)}</td>
              <td>
                {/* Flex inside the cell, not on it: a flex <td> leaves the table grid and its row misaligns. */}
                <div className="user-row-actions">
                  <button type="button" className="ghost" onClick={() => showEvents(user.login)}>
                    events
                  </button>
                  <button type="button" className="ghost" onClick={() => showMemory(user)}>
                    memory
                  </button>
                  <UserActions user={user} compact />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {users.length === 0 && <p className="muted">No users yet.</p>}
    </div>
  );
}
