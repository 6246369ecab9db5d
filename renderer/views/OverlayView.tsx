/**
 * Overlay & clients: what the gateway exposes to programs other than the console (docs/client-api.md).
 * The OBS overlay URL with its theme and a live preview, client tokens (Stream Deck, widgets, the
 * overlay) and webhooks. Tokens and secrets are shown once, when created: the host keeps only their
 * hashes, so this view holds a new one in memory until the moderator leaves it.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ClientScope, ClientTokenInfo, WebhookCreate, WebhookInfo } from '../../pipeline/core/client-protocol.js';
import { ClientNameSchema, WebhookCreateSchema } from '../../pipeline/core/client-protocol.js';
import type { GatewayStats } from '../../pipeline/core/host-api.js';
import {
  buildOverlayUrl,
  DEFAULT_OVERLAY_THEME,
  gatewayBase,
  OVERLAY_POSITIONS,
  overlayThemeErrors,
  type OverlayPosition,
  type OverlayTheme,
} from '../state/overlay-url.js';
import { notify } from '../state/store.js';
import { useConsole, useConsoleContext, useHostAction } from '../ui/context.js';
import { Field } from '../ui/Field.js';
import { CopyField } from '../ui/CopyField.js';
import { formatDateTime } from '../ui/format.js';
import { ObsControl } from './ObsControl.js';
import { OverlayAlerts } from './OverlayAlerts.js';

const SCOPES: { scope: ClientScope; help: string }[] = [
  { scope: 'send', help: 'send chat and triggers as this client (Stream Deck buttons)' },
  { scope: 'receive', help: 'receive replies, alerts, deliveries and events (widgets, bots)' },
  { scope: 'read-only', help: 'replies and alerts only (the OBS overlay)' },
];

interface GatewayData {
  clients: ClientTokenInfo[];
  webhooks: WebhookInfo[];
  stats: GatewayStats | null;
}

/** Loads tokens, webhooks and counters together; `reload` after every change. */
function useGatewayData(): [GatewayData | null, () => Promise<void>] {
  const { bridge } = useConsoleContext();
  const run = useHostAction();
  const status = useConsole((state) => state.connection.status);
  const [data, setData] = useState<GatewayData | null>(null);
  const reload = useCallback(async () => {
    const loaded = await run('Loading clients and webhooks', () =>
      Promise.all([
        bridge.call('clients.list', {}),
        bridge.call('webhooks.list', {}),
        bridge.call('clients.stats', {}),
      ]),
    );
    if (loaded) setData({ clients: loaded[0], webhooks: loaded[1], stats: loaded[2] });
  }, [bridge, run]);
  useEffect(() => {
    if (status === 'open') void reload();
  }, [reload, status]);
  return [data, reload];
}

export function OverlayView() {
  const settings = useConsole((state) => state.settings);
  const [data, reload] = useGatewayData();
  if (!settings) return <p className="muted">Loading settings…</p>;
  const base = gatewayBase(window.location, settings.gatewayPort);
  return (
    <div className="settings gateway-view">
      <Exposure base={base} lanAccess={settings.lanAccess} data={data} />
      <OverlaySection base={base} clients={data?.clients ?? []} reload={reload} />
      <OverlayAlerts />
      <ObsControl />
      <ClientTokens clients={data?.clients ?? []} reload={reload} />
      <Webhooks base={base} webhooks={data?.webhooks ?? []} reload={reload} />
    </div>
  );
}

function Exposure({ base, lanAccess, data }: { base: string; lanAccess: boolean; data: GatewayData | null }) {
  const live = data?.clients.filter((client) => client.revokedAt === null) ?? [];
  const inbound = data?.webhooks.filter((hook) => hook.direction === 'in') ?? [];
  const outbound = data?.webhooks.filter((hook) => hook.direction === 'out') ?? [];
  const refused = Object.values(data?.stats?.clients.refused ?? {}).reduce((sum, count) => sum + (count ?? 0), 0);
  const socketBase = base.replace(/^http/, 'ws');
  return (
    <section className="panel" aria-label="What is exposed" data-testid="exposure">
      <h3>What is exposed</h3>
      {lanAccess ? (
        <p className="alert-warn" data-testid="exposure-scope">
          <strong>LAN:</strong> other devices on your network can reach the gateway. Every console, client and webhook
          still needs its token or signature. Turn this off in Settings when you do not need it.
        </p>
      ) : (
        <p data-testid="exposure-scope">
          <strong>Loopback only:</strong> only programs on this computer (127.0.0.1) can reach the gateway.
        </p>
      )}
      <dl className="facts">
        <dt>Gateway</dt>
        <dd className="mono" data-testid="gateway-url">
          {base}
        </dd>
        <dt>Console</dt>
        <dd>
          <span className="mono">{base}/</span> <span className="muted">· console token</span>
        </dd>
        <dt>Client API</dt>
        <dd>
          <span className="mono">{socketBase}/api/clients</span>{' '}
          <span className="muted">
            · {live.length} live token{live.length === 1 ? '' : 's'}
            {data?.stats && ` · ${data.stats.clients.connected} connected now`}
          </span>
        </dd>
        <dt>OBS overlay</dt>
        <dd>
          <span className="mono">{base}/overlay</span> <span className="muted">· read-only tokens</span>
        </dd>
        <dt>Webhooks in</dt>
        <dd>
          <span className="mono">POST {base}/hooks/&lt;name&gt;</span>{' '}
          <span className="muted">· {inbound.length} signed with their own secret</span>
        </dd>
        <dt>Webhooks out</dt>
        <dd className="muted">
          {outbound.length === 0
            ? 'none: replies go nowhere else'
            : `replies are posted to ${outbound.map((hook) => hook.url ?? hook.name).join(', ')}`}
        </dd>
        {data?.stats && (
          <>
            <dt>Since start</dt>
            <dd className="muted">
              {data.stats.clients.accepted} client events accepted · {data.stats.clients.delivered} delivered ·{' '}
              {refused} refused · {data.stats.webhooks.accepted} webhook calls accepted
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

/**
 * The token and theme being worked on, kept for as long as this page lives so the URL is still there
 * after a visit to another view. Memory only: the token is a secret and never goes to storage.
 */
const remembered: { token: string; theme: OverlayTheme } = { token: '', theme: DEFAULT_OVERLAY_THEME };

/** A name that no live token has yet: `overlay`, `overlay-2`, … */
function freeName(clients: readonly ClientTokenInfo[], stem: string): string {
  const taken = new Set(clients.filter((client) => client.revokedAt === null).map((client) => client.name));
  for (let index = 1; ; index += 1) {
    const name = index === 1 ? stem : `${stem}-${index}`;
    if (!taken.has(name)) return name;
  }
}

function OverlaySection({
  base,
  clients,
  reload,
}: {
  base: string;
  clients: ClientTokenInfo[];
  reload: () => Promise<void>;
}) {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const [token, setTokenState] = useState(remembered.token);
  const [theme, setThemeState] = useState<OverlayTheme>(remembered.theme);
  const setToken = (value: string) => setTokenState((remembered.token = value));
  const setTheme = (value: OverlayTheme | ((current: OverlayTheme) => OverlayTheme)) =>
    setThemeState((current) => (remembered.theme = typeof value === 'function' ? value(current) : value));
  const errors = useMemo(() => overlayThemeErrors(theme), [theme]);
  const valid = Object.keys(errors).length === 0;
  const url = token.trim() && valid ? buildOverlayUrl(base, token.trim(), theme) : null;
  // The desktop window (app://, frame-src 'none') cannot frame the gateway; a browser console is the gateway.
  const previewable = base === window.location.origin;
  const readOnly = clients.filter((client) => client.revokedAt === null && client.scopes.includes('read-only'));

  const create = async () => {
    const name = freeName(clients, 'overlay');
    const result = await run('Creating the overlay token', () =>
      bridge.call('clients.create', { name, scopes: ['read-only'] }),
    );
    if (!result) return;
    if (!result.ok) return notify(store, `Not created: ${result.error}`, 'error');
    setToken(result.value.token);
    notify(store, `Read-only token "${name}" created for the overlay.`);
    await reload();
  };
  const patch = (change: Partial<OverlayTheme>) => setTheme((current) => ({ ...current, ...change }));

  return (
    <section className="panel" aria-label="OBS overlay">
      <h3>OBS overlay</h3>
      <p className="muted small">
        Add a <strong>Browser source</strong> in OBS with this URL (1920×1080): it shows approved bot replies and
        alerts. It needs a read-only client token, which is shown only when it is created.
      </p>
      <div className="row-gap">
        <input
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          placeholder="bbc_…"
          aria-label="Overlay token"
          onChange={(event) => setToken(event.target.value)}
        />
        <button type="button" className="primary" onClick={() => void create()}>
          Create a read-only token
        </button>
        {readOnly.length > 0 && !token && (
          <span className="muted small">
            Or paste the token of {readOnly.map((client) => client.name).join(', ')} (shown when it was created).
          </span>
        )}
      </div>
      <div className="grid-form overlay-theme" aria-label="Overlay theme">
        <Field label="Position" error={errors.position}>
          <select
            value={theme.position}
            onChange={(event) => patch({ position: event.target.value as OverlayPosition })}
          >
            {OVERLAY_POSITIONS.map((position) => (
              <option key={position} value={position}>
                {position}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Font" error={errors.font}>
          <input
            value={theme.font}
            placeholder="system font"
            onChange={(event) => patch({ font: event.target.value })}
          />
        </Field>
        <Field label="Text size" error={errors.size}>
          <input value={theme.size} onChange={(event) => patch({ size: event.target.value })} />
        </Field>
        <Field label="Text colour" error={errors.color}>
          <input value={theme.color} onChange={(event) => patch({ color: event.target.value })} />
        </Field>
        <Field label="Background" error={errors.bg}>
          <input value={theme.bg} onChange={(event) => patch({ bg: event.target.value })} />
        </Field>
        <Field label="Accent colour" error={errors.accent}>
          <input value={theme.accent} onChange={(event) => patch({ accent: event.target.value })} />
        </Field>
        <Field label="Seconds on screen" error={errors.duration}>
          <input
            inputMode="decimal"
            value={theme.duration}
            onChange={(event) => patch({ duration: event.target.value })}
          />
        </Field>
        <Field label="Items at once" error={errors.max}>
          <input inputMode="numeric" value={theme.max} onChange={(event) => patch({ max: event.target.value })} />
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={theme.replies}
            onChange={(event) => patch({ replies: event.target.checked })}
          />{' '}
          Show bot replies
        </label>
        <label className="check">
          <input type="checkbox" checked={theme.alerts} onChange={(event) => patch({ alerts: event.target.checked })} />{' '}
          Show alerts
          {errors.replies && <span className="error-text small"> {errors.replies}</span>}
        </label>
        <button type="button" onClick={() => setTheme(DEFAULT_OVERLAY_THEME)}>
          Reset to the default theme
        </button>
      </div>
      {url ? (
        <>
          <CopyField label="Overlay URL" value={url} secret />
          <p className="muted small">The URL contains the token: anyone with it sees what the overlay shows.</p>
          <OverlayFile url={url} />
          {previewable ? (
            <div className="overlay-preview">
              {/* Same origin as this console: the overlay's CSP allows framing by its own gateway only. */}
              <iframe src={url} title="Overlay preview" referrerPolicy="no-referrer" />
            </div>
          ) : (
            <p className="muted small">
              The live preview shows in the browser console; this window may not frame other pages.
            </p>
          )}
        </>
      ) : (
        <p className="muted">
          {token.trim() ? 'Fix the theme to see the URL.' : 'Create or paste a read-only token to get the URL.'}
        </p>
      )}
    </section>
  );
}

/**
 * OBS shows an error page for a URL source whose server is not up yet (OBS started before BitBrat).
 * A "Local file" source loads anyway: the host writes the overlay as one file that waits and connects.
 */
function OverlayFile({ url }: { url: string }) {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const [written, setWritten] = useState<string | null>(null);
  const save = async () => {
    const parsed = new URL(url);
    const token = parsed.searchParams.get('token') ?? '';
    const theme = Object.fromEntries([...parsed.searchParams].filter(([key]) => key !== 'token'));
    const result = await run('Writing the overlay file', () => bridge.call('overlay.writeFile', { token, theme }));
    if (!result) return;
    if (!result.ok) return notify(store, `Not written: ${result.error}`, 'error');
    setWritten(result.value.path);
  };
  return (
    <div className="overlay-file">
      <button type="button" onClick={() => void save()}>
        Save as a local file for OBS
      </button>{' '}
      <span className="muted small">works even when OBS starts before BitBrat (use a “Local file” browser source)</span>
      {written && <CopyField label="Overlay file" value={written} />}
    </div>
  );
}

/** A secret the host will never show again, with a copy button, until the moderator says it is kept. */
function ShownOnce({ label, value, onDone }: { label: string; value: string; onDone: () => void }) {
  return (
    <div className="shown-once" role="status">
      <strong>{label}: copy it now, it is shown only once.</strong>
      <CopyField label={label} value={value} secret />
      <button type="button" onClick={onDone}>
        I have copied it
      </button>
    </div>
  );
}

function ClientTokens({ clients, reload }: { clients: ClientTokenInfo[]; reload: () => Promise<void> }) {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ClientScope[]>(['send']);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const nameCheck = ClientNameSchema.safeParse(name);
  const nameError = name && !nameCheck.success ? nameCheck.error.issues[0]?.message : undefined;

  const create = async () => {
    if (!nameCheck.success || scopes.length === 0) return;
    const result = await run('Creating the client token', () =>
      bridge.call('clients.create', { name: nameCheck.data, scopes }),
    );
    if (!result) return;
    if (!result.ok) return notify(store, `Not created: ${result.error}`, 'error');
    setCreated({ name: result.value.client.name, token: result.value.token });
    setName('');
    await reload();
  };
  const revoke = async (client: ClientTokenInfo) => {
    const result = await run('Revoking the token', () => bridge.call('clients.revoke', { id: client.id }));
    if (result && !result.ok) notify(store, `Could not revoke ${client.name}.`, 'error');
    if (result?.ok) notify(store, `Token ${client.name} revoked: its connections are closed.`);
    await reload();
  };
  const toggle = (scope: ClientScope, on: boolean) =>
    setScopes((current) => (on ? [...current, scope] : current.filter((entry) => entry !== scope)));

  return (
    <section className="panel" aria-label="Client tokens">
      <h3>Client tokens</h3>
      <form
        className="row-gap wrap"
        aria-label="New client token"
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
      >
        <input
          value={name}
          placeholder="streamdeck"
          aria-label="Client name"
          maxLength={40}
          onChange={(event) => setName(event.target.value)}
        />
        {SCOPES.map(({ scope, help }) => (
          <label key={scope} className="check" title={help}>
            <input
              type="checkbox"
              checked={scopes.includes(scope)}
              onChange={(event) => toggle(scope, event.target.checked)}
            />{' '}
            {scope}
          </label>
        ))}
        <button type="submit" className="primary" disabled={!nameCheck.success || scopes.length === 0}>
          Create token
        </button>
        {nameError && <span className="error-text small">{nameError}</span>}
      </form>
      {created && (
        <ShownOnce label={`Token for ${created.name}`} value={created.token} onDone={() => setCreated(null)} />
      )}
      {clients.length === 0 ? (
        <p className="muted small">No client tokens yet.</p>
      ) : (
        <table className="table compact" aria-label="Client token list">
          <thead>
            <tr>
              <th>name</th>
              <th>scopes</th>
              <th>created</th>
              <th>last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {clients.map((client) => (
              <tr key={client.id} data-client={client.name} className={client.revokedAt ? 'revoked' : ''}>
                <td className="mono">{client.name}</td>
                <td>{client.scopes.join(', ')}</td>
                <td>{formatDateTime(client.createdAt)}</td>
                <td>{client.lastUsedAt ? formatDateTime(client.lastUsedAt) : '—'}</td>
                <td>
                  {client.revokedAt ? (
                    <span className="muted">revoked {formatDateTime(client.revokedAt)}</span>
                  ) : (
                    <button type="button" className="danger" onClick={() => void revoke(client)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

interface WebhookDraft {
  direction: 'in' | 'out';
  name: string;
  type: string;
  text: string;
  displayName: string;
  url: string;
}

const EMPTY_WEBHOOK: WebhookDraft = { direction: 'in', name: '', type: '', text: '', displayName: '', url: '' };

function webhookRequest(draft: WebhookDraft): WebhookCreate | { error: string } {
  const raw =
    draft.direction === 'out'
      ? { direction: 'out', name: draft.name, url: draft.url.trim() }
      : {
          direction: 'in',
          name: draft.name,
          template: {
            type: draft.type.trim() || `webhook.${draft.name.replace(/[^a-z0-9_-]/g, '')}.v1`,
            ...(draft.text.trim() ? { text: draft.text.trim() } : {}),
            ...(draft.displayName.trim() ? { displayName: draft.displayName.trim() } : {}),
          },
        };
  const parsed = WebhookCreateSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return { error: issue ? `${String(issue.path.at(-1) ?? 'webhook')}: ${issue.message}` : 'invalid webhook' };
}

function Webhooks({ base, webhooks, reload }: { base: string; webhooks: WebhookInfo[]; reload: () => Promise<void> }) {
  const { bridge, store } = useConsoleContext();
  const run = useHostAction();
  const [draft, setDraft] = useState<WebhookDraft>(EMPTY_WEBHOOK);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const request = webhookRequest(draft);
  const problem = draft.name && 'error' in request ? request.error : undefined;
  const patch = (change: Partial<WebhookDraft>) => setDraft((current) => ({ ...current, ...change }));

  const create = async () => {
    if ('error' in request) return;
    const result = await run('Creating the webhook', () => bridge.call('webhooks.create', request));
    if (!result) return;
    if (!result.ok) return notify(store, `Not created: ${result.error}`, 'error');
    setCreated({ name: result.value.webhook.name, secret: result.value.secret });
    setDraft(EMPTY_WEBHOOK);
    await reload();
  };
  const remove = async (hook: WebhookInfo) => {
    const result = await run('Deleting the webhook', () => bridge.call('webhooks.delete', { name: hook.name }));
    if (result?.ok) notify(store, `Webhook ${hook.name} deleted.`);
    else if (result) notify(store, `Could not delete ${hook.name}.`, 'error');
    await reload();
  };

  return (
    <section className="panel" aria-label="Webhooks">
      <h3>Webhooks</h3>
      <p className="muted small">
        In: a service (Ko-fi, Streamlabs, your script) posts to the gateway, signed with the secret, and the body
        becomes a <span className="mono">webhook.*</span> event. Out: every reply is posted, signed, to your URL. See
        docs/client-api.md for the signature.
      </p>
      <form
        className="grid-form"
        aria-label="New webhook"
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
      >
        <label>
          <span>Direction</span>
          <select
            value={draft.direction}
            aria-label="Direction"
            onChange={(event) => patch({ direction: event.target.value as 'in' | 'out' })}
          >
            <option value="in">in (a service posts to BitBrat)</option>
            <option value="out">out (BitBrat posts replies)</option>
          </select>
        </label>
        <label>
          <span>Webhook name</span>
          <input value={draft.name} placeholder="kofi" onChange={(event) => patch({ name: event.target.value })} />
        </label>
        {draft.direction === 'in' ? (
          <>
            <label>
              <span>Event type</span>
              <input
                value={draft.type}
                placeholder={`webhook.${draft.name || 'name'}.v1`}
                onChange={(event) => patch({ type: event.target.value })}
              />
            </label>
            <label>
              <span>Text field (path)</span>
              <input
                value={draft.text}
                placeholder="data.message"
                onChange={(event) => patch({ text: event.target.value })}
              />
            </label>
            <label>
              <span>Sender name field (path)</span>
              <input
                value={draft.displayName}
                placeholder="data.from_name"
                onChange={(event) => patch({ displayName: event.target.value })}
              />
            </label>
          </>
        ) : (
          <label>
            <span>URL</span>
            <input value={draft.url} placeholder="https://…" onChange={(event) => patch({ url: event.target.value })} />
          </label>
        )}
        <div className="row-gap">
          <button type="submit" className="primary" disabled={'error' in request}>
            Create webhook
          </button>
          {problem && <span className="error-text small">{problem}</span>}
        </div>
      </form>
      {created && (
        <ShownOnce label={`Secret for ${created.name}`} value={created.secret} onDone={() => setCreated(null)} />
      )}
      {webhooks.length === 0 ? (
        <p className="muted small">No webhooks yet.</p>
      ) : (
        <table className="table compact" aria-label="Webhook list">
          <thead>
            <tr>
              <th>name</th>
              <th>direction</th>
              <th>where</th>
              <th>created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {webhooks.map((hook) => (
              <tr key={hook.name} data-webhook={hook.name}>
                <td className="mono">{hook.name}</td>
                <td>{hook.direction}</td>
                <td className="mono">
                  {hook.direction === 'in'
                    ? `POST ${base}/hooks/${hook.name} → ${hook.template?.type ?? ''}`
                    : hook.url}
                </td>
                <td>{formatDateTime(hook.createdAt)}</td>
                <td>
                  <button type="button" className="danger" onClick={() => void remove(hook)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
