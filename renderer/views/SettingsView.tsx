/**
 * Settings, one field per SettingsSchema key: validated in the console with the schema's own field
 * (the same zod the host parses with), saved one key at a time with `settings.set`. Then the LLM
 * section and its on-air safety layers, the ignore list, and this console's own alert choice.
 */
import { useState } from 'react';
import { SettingsSchema, type Settings } from '../../pipeline/core/host-api.js';
import { notify } from '../state/store.js';
import { readAlertPrefs, writeAlertPrefs, type AlertPrefs } from '../ui/alerts.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';
import { UserActions } from '../ui/UserActions.js';
import { LlmSettingsSection } from './LlmSettings.js';
import { SafetySettingsSection } from './SafetySettings.js';

/** The plain fields; the LLM endpoint, the ignore list, Discord (Connections), quotes and welcome greetings (the Counters & quotes view), alerts and OBS (Overlay & clients) have their own. */
export type PlainKey = Exclude<
  keyof Settings,
  'llm' | 'ignoredUsers' | 'discord' | 'quotes' | 'welcome' | 'alerts' | 'obs'
>;
const LABELS: Record<PlainKey, { label: string; help: string }> = {
  channel: { label: 'Twitch channel', help: 'The channel to read. Anonymous reading needs no account.' },
  botName: { label: 'Bot name', help: 'Messages that mention it go to the LLM bot.' },
  approvalExpireSeconds: { label: 'Held replies expire after (s)', help: 'When a rule does not say otherwise.' },
  retentionDays: { label: 'Keep events (days)', help: '0 keeps everything.' },
  lanAccess: { label: 'Allow consoles on the LAN', help: 'Off: only this computer can open the console.' },
  gatewayPort: { label: 'Console port', help: 'Takes effect after a restart.' },
  backupsKept: { label: 'Backups kept', help: 'One is made at every start and once a day, in the data folder.' },
  twitchClientId: {
    label: 'Twitch client id',
    help: 'From your own app at dev.twitch.tv (client type Public, no secret). Needed to link accounts.',
  },
  twitchChatTransport: {
    label: 'Bot chat over',
    help: 'auto, eventsub or irc. auto: EventSub + Helix (what Twitch recommends) when the bot granted its scopes.',
  },
};

export function parseSettingInput<K extends keyof Settings>(
  key: K,
  raw: string | boolean,
): { ok: true; value: Settings[K] } | { ok: false; error: string } {
  const field = SettingsSchema.shape[key];
  const value = typeof raw === 'boolean' ? raw : typeof field.parse(undefined) === 'number' ? Number(raw) : raw;
  const result = field.safeParse(value);
  if (!result.success) return { ok: false, error: result.error.issues[0]?.message ?? 'invalid value' };
  return { ok: true, value: result.data as Settings[K] };
}

export function SettingsView() {
  const settings = useConsole((state) => state.settings);
  if (!settings) return <p className="muted">Loading settings…</p>;
  return (
    <div className="settings">
      {(Object.keys(LABELS) as PlainKey[]).map((key) => (
        <SettingField key={key} name={key} value={settings[key]} />
      ))}
      <LlmSettingsSection key={JSON.stringify(settings.llm)} settings={settings.llm} />
      <SafetySettingsSection key={JSON.stringify(settings.llm.safety)} llm={settings.llm} />
      <IgnoredUsers ignored={settings.ignoredUsers} />
      <AlertSettings />
    </div>
  );
}

function IgnoredUsers({ ignored }: { ignored: readonly string[] }) {
  return (
    <section className="panel" aria-label="Ignored users">
      <h3>Ignored users</h3>
      {ignored.length === 0 && <p className="muted small">Nobody. Ignore a user from the approval queue or Users.</p>}
      <ul className="plain">
        {ignored.map((key) => {
          const split = key.indexOf(':');
          const platform = key.slice(0, split);
          const externalId = key.slice(split + 1);
          return (
            <li key={key} className="row-gap">
              <span className="mono">{key}</span>
              <UserActions user={{ platform, externalId, login: key }} compact />
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** Per console (this browser), not a host setting: each moderator chooses for their own screen. */
function AlertSettings() {
  const [prefs, setPrefs] = useState<AlertPrefs>(() => readAlertPrefs(localStorage));
  const [permission, setPermission] = useState(() =>
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );
  const update = async (next: AlertPrefs) => {
    if (next.desktop && typeof Notification !== 'undefined' && Notification.permission === 'default') {
      setPermission(await Notification.requestPermission());
    }
    writeAlertPrefs(localStorage, next);
    setPrefs(next);
  };
  return (
    <section className="panel" aria-label="Alerts">
      <h3>Alerts on this console</h3>
      <label className="check">
        <input
          type="checkbox"
          checked={prefs.sound}
          onChange={(event) => void update({ ...prefs, sound: event.target.checked })}
        />{' '}
        Play a sound when a reply is held
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={prefs.desktop}
          disabled={permission === 'unsupported' || permission === 'denied'}
          onChange={(event) => void update({ ...prefs, desktop: event.target.checked })}
        />{' '}
        Desktop notification when a reply is held
        {permission === 'denied' && <span className="muted small"> (blocked in this browser&apos;s settings)</span>}
        {permission === 'unsupported' && <span className="muted small"> (not available here)</span>}
      </label>
    </section>
  );
}

/**
 * The port this console is really served on (the saved one may differ: `--port`, a port taken at
 * start, a change not yet restarted). The desktop window is not served over HTTP and shows nothing.
 */
function RunningPort({ saved }: { saved: number }) {
  const { protocol, port } = window.location;
  if (protocol !== 'http:' && protocol !== 'https:') return null;
  const running = Number(port || (protocol === 'https:' ? 443 : 80));
  return (
    <span data-testid="running-port">
      {' '}
      Running now on port <strong>{running}</strong>
      {running !== saved && ` (the saved ${saved} applies at the next start)`}.
    </span>
  );
}

export function SettingField({ name, value }: { name: PlainKey; value: Settings[PlainKey] }) {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const [draft, setDraft] = useState<string | boolean>(typeof value === 'boolean' ? value : String(value));
  const parsed = parseSettingInput(name, draft);
  const dirty = parsed.ok ? parsed.value !== value : true;
  const save = async () => {
    if (!parsed.ok) return;
    const result = await run('Saving the setting', () =>
      bridge.call('settings.set', { key: name, value: parsed.value }),
    );
    if (!result) return;
    if (!result.ok) return notify(store, `Not saved: ${result.error}`, 'error');
    store.setState({ settings: result.value });
    notify(store, `${LABELS[name].label} saved.`);
  };
  return (
    <form
      className="setting"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <label>
        <span className="setting-label">{LABELS[name].label}</span>
        {typeof draft === 'boolean' ? (
          <input type="checkbox" checked={draft} onChange={(event) => setDraft(event.target.checked)} />
        ) : (
          <input value={draft} onChange={(event) => setDraft(event.target.value)} aria-label={LABELS[name].label} />
        )}
      </label>
      <button type="submit" disabled={!parsed.ok || !dirty}>
        Save
      </button>
      <span className={parsed.ok ? 'muted small' : 'error-text small'}>
        {parsed.ok ? LABELS[name].help : parsed.error}
        {name === 'gatewayPort' && parsed.ok && <RunningPort saved={value as number} />}
      </span>
    </form>
  );
}
