/**
 * Settings, one field per SettingsSchema key: validated in the console with the schema's own field
 * (the same zod the host parses with), saved one key at a time with `settings.set`.
 */
import { useState } from 'react';
import { SettingsSchema, type Settings } from '../../pipeline/core/host-api.js';
import { notify } from '../state/store.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';

/** The plain fields; the LLM endpoint has its own section. */
type PlainKey = Exclude<keyof Settings, 'llm'>;
const LABELS: Record<PlainKey, { label: string; help: string }> = {
  channel: { label: 'Twitch channel', help: 'The channel to read. Anonymous reading needs no account.' },
  botName: { label: 'Bot name', help: 'Messages that mention it go to the LLM bot.' },
  approvalExpireSeconds: { label: 'Held replies expire after (s)', help: 'When a rule does not say otherwise.' },
  retentionDays: { label: 'Keep events (days)', help: '0 keeps everything.' },
  lanAccess: { label: 'Allow consoles on the LAN', help: 'Off: only this computer can open the console.' },
  gatewayPort: { label: 'Console port', help: 'Takes effect after a restart.' },
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
    </div>
  );
}

function SettingField({ name, value }: { name: PlainKey; value: Settings[PlainKey] }) {
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
      </span>
    </form>
  );
}
