/**
 * The Overlay view's OBS panel: turn OBS control on, its obs-websocket address, and the password
 * (write-only: it goes to the secret store and is never shown again), with the connection's state
 * from the host's connectors list. What OBS does is up to rules (the `obs` step and its
 * `obs.actions`, e.g. the shipped "Raid scene in OBS" rule).
 */
import { useCallback, useEffect, useState } from 'react';
import { ObsSettingsSchema, OBS_CONNECTOR, type ObsSettings } from '../../pipeline/core/obs.js';
import type { ConnectorHealth } from '../../pipeline/core/protocol/pipeline.js';
import { notify } from '../state/store.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';

export function ObsControl() {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const settings = useConsole((state) => state.settings);
  const status = useConsole((state) => state.connection.status);
  const [draft, setDraft] = useState<ObsSettings | null>(settings?.obs ?? null);
  const [password, setPassword] = useState('');
  const [health, setHealth] = useState<ConnectorHealth | null>(null);
  useEffect(() => {
    if (settings && !draft) setDraft(settings.obs);
  }, [settings, draft]);
  const reloadHealth = useCallback(async () => {
    const loaded = await run('Loading OBS state', () => bridge.call('health.get', {}));
    if (loaded) setHealth(loaded.connectors.find((connector) => connector.id === OBS_CONNECTOR) ?? null);
  }, [bridge, run]);
  useEffect(() => {
    if (status !== 'open') return;
    void reloadHealth();
    const timer = setInterval(() => void reloadHealth(), 3000);
    return () => clearInterval(timer);
  }, [reloadHealth, status]);
  if (!draft || !settings) return null;
  const checked = ObsSettingsSchema.safeParse(draft);

  const save = async () => {
    if (!checked.success) return;
    if (password) {
      const stored = await run('Storing the OBS password', () => bridge.call('obs.setPassword', { password }));
      if (!stored) return;
      if (!stored.ok) return notify(store, stored.message, 'error');
      setPassword('');
    }
    const result = await run('Saving OBS control', () =>
      bridge.call('settings.set', { key: 'obs', value: checked.data }),
    );
    if (!result) return;
    if (!result.ok) return notify(store, `Not saved: ${result.error}`, 'error');
    store.setState({ settings: result.value });
    setDraft(result.value.obs);
    notify(store, 'OBS control saved.');
    await reloadHealth();
  };

  return (
    <section className="panel" aria-label="OBS control">
      <h3>OBS control</h3>
      <p className="muted small">
        obs-websocket 5 (OBS → Tools → WebSocket Server Settings). Rules with the obs step switch scenes, show or hide
        sources for a while, set text sources and start or stop recording.
      </p>
      <label>
        <input
          type="checkbox"
          checked={draft.enabled}
          onChange={(event) => setDraft({ ...draft, enabled: event.target.checked })}
        />{' '}
        Control OBS
      </label>
      <label>
        Address{' '}
        <input
          aria-label="OBS address"
          value={draft.url}
          onChange={(event) => setDraft({ ...draft, url: event.target.value })}
        />
      </label>
      <label>
        Password{' '}
        <input
          type="password"
          aria-label="OBS password"
          autoComplete="off"
          placeholder="unchanged"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
      </label>
      {!checked.success && (
        <p className="error" role="alert">
          {checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}
        </p>
      )}
      <div className="actions">
        <button type="button" disabled={!checked.success} onClick={() => void save()}>
          Save OBS control
        </button>{' '}
        <span data-testid="obs-state" data-state={health?.state ?? 'off'}>
          {health ? `${health.state}: ${health.detail ?? ''}` : 'off'}
        </span>
      </div>
    </section>
  );
}
