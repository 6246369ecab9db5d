/**
 * Connections: the two Twitch accounts (broadcaster, bot) linked with the Device Code Flow, the
 * Twitch client id they need, the LLM API key, and Discord (DiscordSettings.tsx). Twitch no longer lets its login page run inside
 * Electron, so linking shows a code and a normal link to twitch.tv/activate, and the host polls
 * Twitch in the background (https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/#device-code-grant-flow);
 * this view polls `twitch.accounts` while a login is pending. Secrets are write-only here: the
 * console never receives a token or a key back.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TwitchAccountStatus } from '../../pipeline/core/host-api.js';
import type { TwitchAccountName } from '../../pipeline/core/protocol/twitch.js';
import { notify } from '../state/store.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';
import { WriteOnlySecret } from '../ui/WriteOnlySecret.js';
import { DiscordSection } from './DiscordSettings.js';
import { SettingField } from './SettingsView.js';

/** How often the view asks while a code waits (Twitch's own poll interval is about 5 s). */
const PENDING_POLL_MS = 1_500;

const ACCOUNT_LABELS: Record<TwitchAccountName, { title: string; why: string }> = {
  broadcaster: {
    title: 'Broadcaster',
    why: 'Your channel account: follows, subs, raids, redemptions (EventSub), time-outs, bans and deletions.',
  },
  bot: {
    title: 'Bot',
    why: 'The account that speaks in chat. Without it the bot only reads, and replies stay in the console.',
  },
};

export function ConnectionsView() {
  const settings = useConsole((state) => state.settings);
  return (
    <div className="settings connections">
      <TwitchAccounts />
      <section className="panel" aria-label="Twitch application">
        <h3>Twitch application</h3>
        <p className="muted small">
          Linking needs the client id of your own Twitch application: at{' '}
          <a href="https://dev.twitch.tv/console/apps/create" target="_blank" rel="noreferrer">
            dev.twitch.tv → Register Your Application
          </a>{' '}
          choose the category &quot;Chat Bot&quot;, client type <strong>Public</strong> (no secret), any OAuth redirect
          URL (e.g. http://localhost), then paste the Client ID here. It is not a secret.
        </p>
        {settings ? (
          <SettingField key={settings.twitchClientId} name="twitchClientId" value={settings.twitchClientId} />
        ) : (
          <p className="muted">Loading settings…</p>
        )}
      </section>
      <LlmApiKey />
      {settings && <DiscordSection settings={settings.discord} />}
    </div>
  );
}

function TwitchAccounts() {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const status = useConsole((state) => state.connection.status);
  const [accounts, setAccounts] = useState<TwitchAccountStatus[] | null>(null);
  const [startErrors, setStartErrors] = useState<Partial<Record<TwitchAccountName, string>>>({});
  const previous = useRef<TwitchAccountStatus[] | null>(null);

  const load = useCallback(async () => {
    const next = await run('Loading Twitch accounts', () => bridge.call('twitch.accounts', {}));
    if (!next) return;
    // Say so when a code the streamer entered has turned into a linked account.
    for (const account of next) {
      const before = previous.current?.find((entry) => entry.account === account.account);
      if (before?.state === 'pending' && account.state === 'linked') {
        notify(store, `${ACCOUNT_LABELS[account.account].title} account linked as ${account.login ?? '?'}.`);
      }
    }
    previous.current = next;
    setAccounts(next);
  }, [bridge, run, store]);

  useEffect(() => {
    if (status === 'open') void load();
  }, [load, status]);

  const pending = accounts?.some((account) => account.state === 'pending') ?? false;
  useEffect(() => {
    if (!pending || status !== 'open') return;
    const timer = setInterval(() => void load(), PENDING_POLL_MS);
    return () => clearInterval(timer);
  }, [load, pending, status]);

  const link = async (account: TwitchAccountName) => {
    setStartErrors((errors) => ({ ...errors, [account]: undefined }));
    const result = await run('Starting the Twitch login', () => bridge.call('twitch.login.start', { account }));
    if (!result) return;
    if (!result.ok) return setStartErrors((errors) => ({ ...errors, [account]: result.error }));
    await load();
  };
  const logout = async (account: TwitchAccountName) => {
    const result = await run('Logging out', () => bridge.call('twitch.logout', { account }));
    if (result && !result.ok) notify(store, `Could not log out the ${account} account.`, 'error');
    await load();
  };

  return (
    <section className="panel" aria-label="Twitch accounts">
      <h3>Twitch accounts</h3>
      {!accounts && <p className="muted">Loading…</p>}
      <div className="accounts">
        {accounts?.map((account) => (
          <AccountCard
            key={account.account}
            account={account}
            startError={startErrors[account.account] ?? null}
            onLink={() => void link(account.account)}
            onLogout={() => void logout(account.account)}
          />
        ))}
      </div>
    </section>
  );
}

const STATE_TEXT: Record<TwitchAccountStatus['state'], string> = {
  linked: 'linked',
  pending: 'waiting for Twitch',
  'needs-login': 'needs login again',
  none: 'not linked',
};

function AccountCard({
  account,
  startError,
  onLink,
  onLogout,
}: {
  account: TwitchAccountStatus;
  startError: string | null;
  onLink: () => void;
  onLogout: () => void;
}) {
  const label = ACCOUNT_LABELS[account.account];
  return (
    <article
      className={`account account-${account.state}`}
      aria-label={`${label.title} account`}
      data-testid={`account-${account.account}`}
      data-state={account.state}
    >
      <header className="row-gap">
        <h4>{label.title}</h4>
        <span className={`chip account-state state-${account.state}`}>{STATE_TEXT[account.state]}</span>
        {account.login && <strong className="mono">{account.login}</strong>}
      </header>
      <p className="muted small">{label.why}</p>

      {account.state === 'needs-login' && (
        <div className="alert-loud" role="alert">
          <strong>Twitch no longer accepts this account&apos;s login.</strong> Until you link it again,{' '}
          {account.account === 'bot' ? 'the bot cannot speak in chat' : 'channel events and moderation are off'}.
          {account.error && <div className="small">Twitch said: {account.error}</div>}
        </div>
      )}

      {account.state === 'pending' && account.pending && <DeviceCode pending={account.pending} />}

      {account.state === 'linked' && (
        <dl className="facts">
          <dt>User id</dt>
          <dd className="mono">{account.userId}</dd>
          <dt>Scopes</dt>
          <dd>
            <ul className="plain scopes" aria-label="Scopes">
              {account.scopes.map((scope) => (
                <li key={scope} className="chip mono">
                  {scope}
                </li>
              ))}
            </ul>
          </dd>
        </dl>
      )}

      {account.error && account.state !== 'needs-login' && <p className="error-text small">{account.error}</p>}
      {startError && (
        <p className="error-text" role="alert">
          {startError}
        </p>
      )}

      <div className="row-gap">
        {account.state !== 'linked' && account.state !== 'pending' && (
          <button type="button" className="primary" onClick={onLink}>
            {account.state === 'needs-login' ? 'Link again' : 'Link'}
          </button>
        )}
        {account.state === 'pending' && (
          <button type="button" onClick={onLink}>
            New code
          </button>
        )}
        {account.state !== 'none' && (
          <button type="button" className={account.state === 'linked' ? 'danger' : ''} onClick={onLogout}>
            {account.state === 'pending' ? 'Cancel' : 'Log out'}
          </button>
        )}
      </div>
    </article>
  );
}

function DeviceCode({ pending }: { pending: NonNullable<TwitchAccountStatus['pending']> }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Math.round((pending.expiresAt - now) / 1000));
  return (
    <div className="device-login">
      <p>
        Open{' '}
        <a href={pending.verificationUri} target="_blank" rel="noreferrer" data-testid="verification-link">
          {pending.verificationUri}
        </a>{' '}
        in your browser, log in as this account, and enter:
      </p>
      <div className="device-code mono" data-testid="device-code" aria-label="Device code">
        {pending.userCode}
      </div>
      <p className="muted small">
        {left > 0
          ? `Waiting for Twitch… the code expires in ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}.`
          : 'The code has expired: ask for a new one.'}
      </p>
    </div>
  );
}

/** Write-only: the key goes to the host's secret store and is never shown again, here or anywhere. */
function LlmApiKey() {
  const { bridge } = useConsoleContext();
  return (
    <WriteOnlySecret
      className="panel"
      label="LLM API key"
      inputLabel="New API key"
      placeholder="sk-…"
      maxLength={500}
      storeText="Store key"
      removeText="Remove key"
      resultTestId="api-key-result"
      doing="Storing the API key"
      save={(key) => bridge.call('llm.setApiKey', { key })}
    >
      <h3>LLM API key</h3>
      <p className="muted small">
        For OpenAI, OpenRouter and other hosted endpoints (local servers such as Ollama need none). Stored in the
        host&apos;s secret store, never in the settings or the database, and never shown again: paste a new key to
        replace it.
      </p>
    </WriteOnlySecret>
  );
}
