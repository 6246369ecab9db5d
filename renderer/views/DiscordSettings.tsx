/**
 * Connections → Discord: the bot token (write-only, to the host's secret store; never shown back),
 * the server and channels to read, the role mapping and the announce channel (saved as the one
 * `discord` setting, validated with DiscordSettingsSchema field by field), and the `discord`
 * connector's health as the host reports it (a connector that never came up says so).
 */
import { useMemo, useState } from 'react';
import { RoleSchema, type Role } from '../../pipeline/core/envelope.js';
import { DISCORD_CONNECTOR_ID, type DiscordSettings } from '../../pipeline/core/protocol/discord.js';
import { fromDiscordDraft, toDiscordDraft, type DiscordDraft, type RoleRow } from '../state/discord-draft.js';
import { connectorView } from '../state/health-view.js';
import { notify } from '../state/store.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';
import { Field } from '../ui/Field.js';
import { WriteOnlySecret } from '../ui/WriteOnlySecret.js';

export function DiscordSection({ settings }: { settings: DiscordSettings }) {
  return (
    <section className="panel discord" aria-label="Discord">
      <h3>Discord</h3>
      <p className="muted small">
        Create a bot at{' '}
        <a href="https://discord.com/developers/applications" target="_blank" rel="noreferrer">
          discord.com/developers → Applications
        </a>
        , turn on its Message Content intent, invite it to your server, then paste its token here. Ids: Discord →
        Settings → Advanced → Developer Mode, then right-click a server or channel → Copy ID.
      </p>
      <DiscordHealth />
      <DiscordToken />
      <DiscordForm key={JSON.stringify(settings)} settings={settings} />
    </section>
  );
}

function DiscordHealth() {
  const connector = useConsole((state) => state.health?.connectors.find((entry) => entry.id === DISCORD_CONNECTOR_ID));
  const healthAt = useConsole((state) => state.healthAt);
  // Not running: no token, no server, or the worker has not started it (the host lists only running connectors).
  const view = connector
    ? connectorView(connector, Date.now(), healthAt)
    : { label: 'not running: needs a bot token and a server', tone: 'idle' as const };
  return (
    <p className={`tone tone-${view.tone}`} data-testid="discord-health" data-state={connector?.state ?? 'off'}>
      <span className="dot" aria-hidden="true" /> Discord connector: {view.label}
    </p>
  );
}

/** Write-only, like the LLM key: the host answers with a message, never with the token. */
function DiscordToken() {
  const { bridge } = useConsoleContext();
  return (
    <WriteOnlySecret
      className="discord-token"
      label="Discord token"
      inputLabel="Discord bot token"
      // The console cannot know whether one is stored (it is never read back): say what pasting does.
      placeholder="Bot token (a new one replaces any stored)"
      maxLength={200}
      storeText="Store token"
      removeText="Unlink"
      resultTestId="discord-token-result"
      doing="Storing the Discord token"
      save={(token) => bridge.call('discord.setToken', { token })}
    />
  );
}

function DiscordForm({ settings }: { settings: DiscordSettings }) {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const [draft, setDraft] = useState<DiscordDraft>(() => toDiscordDraft(settings));
  const checked = useMemo(() => fromDiscordDraft(draft), [draft]);
  const dirty = !checked.ok || JSON.stringify(checked.value) !== JSON.stringify(settings);
  const error = (field: string) => (checked.ok ? undefined : checked.errors[field]);
  const patch = (change: Partial<DiscordDraft>) => setDraft((current) => ({ ...current, ...change }));
  const setRole = (index: number, change: Partial<RoleRow>) =>
    patch({ roles: draft.roles.map((row, at) => (at === index ? { ...row, ...change } : row)) });

  const save = async () => {
    if (!checked.ok) return;
    const result = await run('Saving the Discord settings', () =>
      bridge.call('settings.set', { key: 'discord', value: checked.value }),
    );
    if (!result) return;
    if (!result.ok) return notify(store, `Not saved: ${result.error}`, 'error');
    store.setState({ settings: result.value });
    notify(store, 'Discord settings saved.');
  };

  return (
    <form
      aria-label="Discord server and channels"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <div className="grid-form">
        <Field label="Server id" error={error('guildId')}>
          <input
            value={draft.guildId}
            inputMode="numeric"
            placeholder="empty: Discord off"
            onChange={(event) => patch({ guildId: event.target.value })}
          />
        </Field>
        <Field label="Channel ids (one per line)" error={error('channelIds')}>
          <textarea rows={3} value={draft.channelIds} onChange={(event) => patch({ channelIds: event.target.value })} />
        </Field>
        <Field label="Announce channel id" error={error('announceChannelId')}>
          <input
            value={draft.announceChannelId}
            inputMode="numeric"
            placeholder="where going live is posted"
            onChange={(event) => patch({ announceChannelId: event.target.value })}
          />
        </Field>
      </div>
      <h4>Role mapping</h4>
      <p className="muted small">
        A Discord role (its id or its name) → the BitBrat role rules see. Nobody else becomes a moderator.
      </p>
      <table className="table compact" aria-label="Role mapping">
        <tbody>
          {draft.roles.map((row, index) => (
            <tr key={index}>
              <td>
                <input
                  value={row.discordRole}
                  aria-label={`Discord role ${index + 1}`}
                  onChange={(event) => setRole(index, { discordRole: event.target.value })}
                />
              </td>
              <td>
                <select
                  value={row.role}
                  aria-label={`BitBrat role ${index + 1}`}
                  onChange={(event) => setRole(index, { role: event.target.value as Role })}
                >
                  {RoleSchema.options.map((role) => (
                    <option key={role} value={role}>
                      {role}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <button
                  type="button"
                  className="ghost"
                  onClick={() => patch({ roles: draft.roles.filter((_, at) => at !== index) })}
                >
                  remove
                </button>
                {error(`roleMap.${index}`) && <span className="error-text small"> {error(`roleMap.${index}`)}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row-gap">
        <button
          type="button"
          onClick={() => patch({ roles: [...draft.roles, { discordRole: '', role: 'moderator' }] })}
        >
          + Role
        </button>
        <button type="submit" className="primary" disabled={!checked.ok || !dirty}>
          Save Discord settings
        </button>
      </div>
    </form>
  );
}
