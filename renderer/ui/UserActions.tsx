/**
 * Moderator actions on a user: ignore / unignore (local: the bot stops reacting), timeout and ban
 * (on the platform, which needs a linked Twitch account — until then the host answers ok:false and
 * says why, and we show that sentence as it comes).
 */
import { useState } from 'react';
import { notify } from '../state/store.js';
import { useConsole, useConsoleContext, useHostAction } from './context.js';

const TIMEOUTS = [
  { seconds: 60, label: '1 min' },
  { seconds: 600, label: '10 min' },
  { seconds: 3600, label: '1 h' },
  { seconds: 86_400, label: '1 day' },
];

export interface UserRef {
  platform: string;
  externalId: string;
  login: string;
}

export function UserActions({ user, compact = false }: { user: UserRef; compact?: boolean }) {
  const { bridge, store, moderator } = useConsoleContext();
  const run = useHostAction();
  const key = `${user.platform}:${user.externalId}`;
  const ignored = useConsole((state) => state.settings?.ignoredUsers.includes(key) ?? false);
  const [seconds, setSeconds] = useState(600);
  const [busy, setBusy] = useState(false);

  const act = async (action: 'ignore' | 'unignore' | 'timeout' | 'ban') => {
    if (action === 'ban' && !window.confirm(`Ban ${user.login} from the channel?`)) return;
    setBusy(true);
    const result = await run(`${action} ${user.login}`, () =>
      bridge.call('users.act', {
        platform: user.platform,
        externalId: user.externalId,
        action,
        moderator,
        ...(action === 'timeout' ? { seconds } : {}),
      }),
    );
    setBusy(false);
    if (!result) return;
    notify(store, `${user.login}: ${result.message}`, result.ok ? 'info' : 'error');
    if (result.ok && (action === 'ignore' || action === 'unignore')) {
      // The ignore list is a setting; re-read it so every view shows the new state.
      const settings = await run('Reloading settings', () => bridge.call('settings.get', {}));
      if (settings) store.setState({ settings });
    }
  };

  return (
    <span className={`user-actions${compact ? ' compact' : ''}`} data-testid="user-actions" data-user={user.login}>
      {ignored ? (
        <button type="button" disabled={busy} onClick={() => void act('unignore')} title="The bot reacts again">
          Unignore
        </button>
      ) : (
        <button type="button" disabled={busy} onClick={() => void act('ignore')} title="The bot stops reacting">
          Ignore
        </button>
      )}
      <select
        value={seconds}
        onChange={(event) => setSeconds(Number(event.target.value))}
        aria-label={`Timeout length for ${user.login}`}
      >
        {TIMEOUTS.map((option) => (
          <option key={option.seconds} value={option.seconds}>
            {option.label}
          </option>
        ))}
      </select>
      <button type="button" disabled={busy} onClick={() => void act('timeout')}>
        Timeout
      </button>
      <button type="button" className="danger" disabled={busy} onClick={() => void act('ban')}>
        Ban
      </button>
      {ignored && <span className="chip">ignored</span>}
    </span>
  );
}
