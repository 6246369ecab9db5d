/**
 * First run: name a channel (anonymous reading starts at once) and the bot, then go. Both prompts
 * are modal: focus stays inside them and no key reaches the view's shortcuts behind them. With the
 * demo running the channel is optional: the simulated chat can be watched without one.
 */
import { useRef, useState } from 'react';
import { notify } from '../state/store.js';
import { useConsoleContext, useHostAction } from '../ui/context.js';
import { useFocusTrap } from '../ui/focus-trap.js';
import { parseSettingInput } from './SettingsView.js';

export function FirstRun({ demo = false, onWatchDemo }: { demo?: boolean; onWatchDemo?: () => void }) {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const [channel, setChannel] = useState('');
  const [botName, setBotName] = useState('bitbrat');
  const channelCheck = parseSettingInput('channel', channel.replace(/^#/, '').toLowerCase());
  const botCheck = parseSettingInput('botName', botName);
  const ready = channelCheck.ok && channelCheck.value.length > 0 && botCheck.ok;
  const dialog = useRef<HTMLFormElement>(null);
  useFocusTrap(dialog);

  const watchOnly = demo && channel.trim() === '';
  const start = async () => {
    if (watchOnly) return onWatchDemo?.();
    if (!ready || !channelCheck.ok || !botCheck.ok) return;
    const bot = await run('Saving the bot name', () =>
      bridge.call('settings.set', { key: 'botName', value: botCheck.value }),
    );
    if (bot && !bot.ok) return notify(store, bot.error, 'error');
    const result = await run('Saving the channel', () =>
      bridge.call('settings.set', { key: 'channel', value: channelCheck.value }),
    );
    if (!result) return;
    if (!result.ok) return notify(store, result.error, 'error');
    store.setState({ settings: result.value });
  };

  return (
    <div className="modal-backdrop">
      <form
        ref={dialog}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label="First run"
        onSubmit={(event) => {
          event.preventDefault();
          void start();
        }}
      >
        <h2>Welcome to BitBrat</h2>
        <p>
          Name the Twitch channel to watch. Reading chat needs no account; link the bot account later in Connections.
        </p>
        {demo && (
          <p className="muted" data-testid="demo-note">
            The demo is running: leave the channel empty to watch its simulated chat first.
          </p>
        )}
        <label>
          Channel
          <input
            autoFocus
            value={channel}
            placeholder="yourchannel"
            onChange={(event) => setChannel(event.target.value)}
          />
        </label>
        <label>
          Bot name
          <input value={botName} onChange={(event) => setBotName(event.target.value)} />
        </label>
        <p className="muted small">
          Replies drafted by the LLM are held for a moderator by default; change that per rule in Rules.
        </p>
        <button type="submit" className="primary" disabled={!ready && !watchOnly}>
          {watchOnly ? 'Watch the demo' : 'Start reading chat'}
        </button>
      </form>
    </div>
  );
}

export const MODERATOR_KEY = 'bitbrat.moderator';

/** Asked once per browser: decisions record who made them. */
export function ModeratorPrompt({ onName }: { onName: (name: string) => void }) {
  const [name, setName] = useState('');
  const trimmed = name.trim();
  const dialog = useRef<HTMLFormElement>(null);
  useFocusTrap(dialog);
  return (
    <div className="modal-backdrop">
      <form
        ref={dialog}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label="Moderator name"
        onSubmit={(event) => {
          event.preventDefault();
          if (trimmed.length === 0 || trimmed.length > 60) return;
          localStorage.setItem(MODERATOR_KEY, trimmed);
          onName(trimmed);
        }}
      >
        <h2>Who is moderating?</h2>
        <p>Your name is recorded with every decision you make, so other moderators see who decided.</p>
        <input
          autoFocus
          value={name}
          maxLength={60}
          onChange={(event) => setName(event.target.value)}
          aria-label="Your name"
        />
        <button type="submit" className="primary" disabled={trimmed.length === 0}>
          Continue
        </button>
      </form>
    </div>
  );
}
